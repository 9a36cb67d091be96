import { analysisRow } from '../../test/support/analysisRows.js';
import type { AnalysisRow } from './analysisQuery.js';
import { stallRecommendationOf, verdictSummaries } from './verdicts.js';

const row = (kind: AnalysisRow['kind'], fields: Partial<AnalysisRow>): AnalysisRow => analysisRow(kind, { healing_type: 'batch_cleanup', ...fields });

/** Ten premature heals after a 15-minute stall whose workers came back after these minutes: silences 16 to 23, 31.5 and 55. */
const comebacks = [1, 2, 3, 4, 5, 6, 7, 8, 16.5, 40];
const premature = comebacks.map((minutes) => row('premature', { stall_minutes: 15, progress_after_minutes: minutes, events: 1, late_players: 2 }));
const rows: AnalysisRow[] = [
  row('verdict_type', {}),
  row('verdict', { verdict: 'held', events: 40 }),
  row('verdict', { verdict: 'premature', events: 10 }),
  row('verdict', { verdict: 'gone', events: 1 }),
  row('verdict', { verdict: 'undone', events: 2 }),
  row('verdict', { period: 'previous', verdict: 'held', events: 9 }),
  row('stall_rule', { stall_minutes: 15, events: 60, position: 6 }),
  row('stall_rule', { stall_minutes: 10, events: 5, position: 1 }),
  ...premature,
];

describe('verdicts of the window', () => {
  it('counts each latest verdict, the heals still open, the premature rate and the late players', () => {
    expect(verdictSummaries(rows, 'current', new Map([['batch_cleanup', 70], ['retry', 12]]))).toEqual([
      { healing_type: 'batch_cleanup', held: 40, premature: 10, gone: 1, undone: 2, open: 17, premature_rate: 10 / 50, late_players: 20 },
    ]);
  });

  it('has a null premature rate without held or premature heals, and leaves out a type without heals in the window', () => {
    const previous = verdictSummaries(rows, 'previous', new Map([['batch_cleanup', 9]]));
    expect(previous).toEqual([{ healing_type: 'batch_cleanup', held: 9, premature: 0, gone: 0, undone: 0, open: 0, premature_rate: 0, late_players: 0 }]);
    const onlyUndone = verdictSummaries([row('verdict_type', {}), row('verdict', { verdict: 'undone', events: 3 })], 'current', new Map([['batch_cleanup', 3]]));
    expect(onlyUndone[0]!.premature_rate).toBeNull();
    expect(verdictSummaries(rows, 'current', new Map([['retry', 12]]))).toEqual([]);
  });
});

describe('stall recommendation', () => {
  it('raises STALL_MINUTES from the most common rule to the smallest whole minute past 90% of the silences', () => {
    expect(stallRecommendationOf(rows)).toEqual({ current_minutes: 15, recommended_minutes: 32, premature_avoided: 9, premature_total: 10, added_minutes_per_heal: 17 });
  });

  it('counts a premature silence shared by several heals once per heal', () => {
    const shared = [row('stall_rule', { stall_minutes: 15, events: 9 }), row('premature', { stall_minutes: 15, progress_after_minutes: 5, events: 3 })];
    expect(stallRecommendationOf(shared)).toMatchObject({ recommended_minutes: 21, premature_total: 3 });
  });

  it('is null with fewer than 3 premature heals, without a recorded rule, and for premature heals of another type', () => {
    expect(stallRecommendationOf([...rows.filter((each) => each.kind !== 'premature'), ...premature.slice(0, 2)])).toBeNull();
    expect(stallRecommendationOf(rows.filter((each) => each.kind !== 'stall_rule'))).toBeNull();
    expect(stallRecommendationOf(rows.map((each) => (each.kind === 'premature' ? { ...each, healing_type: 'retry' } : each)))).toBeNull();
  });

  it('takes, of rules as common as each other, the one seen last', () => {
    const tied = [...premature, row('stall_rule', { stall_minutes: 20, events: 30, position: 3 }), row('stall_rule', { stall_minutes: 15, events: 30, position: 6 })];
    expect(stallRecommendationOf(tied)?.current_minutes).toBe(15);
  });
});
