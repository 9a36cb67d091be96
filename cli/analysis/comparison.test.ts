import { changesBetween, comparisonAdvice, type ComparedWindow } from './comparison.js';

function windowOf(
  types: Record<string, [events: number, failures: number]>,
  causes: Record<string, number>,
  topCauses: string[],
  timeToHeal: ComparedWindow['timeToHeal'] = null,
  verdicts: Record<string, [held: number, premature: number]> = {},
): ComparedWindow {
  const entries = Object.entries(types);
  return {
    events: entries.reduce((total, [, [events]]) => total + events, 0),
    types: new Map(entries.map(([name, [events, failures]]) => [name, { events, failures }])),
    topCauses,
    causeEvents: new Map(Object.entries(causes)),
    timeToHeal,
    verdicts: new Map(Object.entries(verdicts).map(([name, [held, premature]]) => [name, { held, premature }])),
  };
}

describe('comparison with the previous window', () => {
  it('gives null change_pct when the previous count is 0, and rounds to one decimal otherwise', () => {
    const changes = changesBetween(windowOf({ retry: [3, 0] }, {}, []), windowOf({ retry: [4, 0], fallback: [2, 0] }, {}, []));
    expect(changes).toEqual([
      { scope: 'total', name: null, previous: 3, current: 6, change: 3, change_pct: 100 },
      { scope: 'type', name: 'retry', previous: 3, current: 4, change: 1, change_pct: 33.3 },
      { scope: 'type', name: 'fallback', previous: 0, current: 2, change: 2, change_pct: null },
    ]);
  });

  it('keeps quiet about small moves: one event more, or less than 20%', () => {
    const previous = windowOf({ retry: [10, 0], fallback: [1, 0] }, {}, []);
    const current = windowOf({ retry: [11, 0], fallback: [2, 0] }, {}, []);
    expect(comparisonAdvice(changesBetween(previous, current), previous, current, '24 hours')).toEqual([]);
  });

  it('names a success rate that fell and a time to heal that shrank', () => {
    const previous = windowOf({ retry: [10, 0] }, {}, [], { heals: 10, median_minutes: 40, p95_minutes: 90 });
    const current = windowOf({ retry: [10, 5] }, {}, [], { heals: 10, median_minutes: 20, p95_minutes: 30 });
    expect(comparisonAdvice(changesBetween(previous, current), previous, current, '7 days')).toEqual([
      'Worse: retry success rate fell from 100.0% to 50.0% against the previous 7 days',
      'Better: stalled batches waited less before healing: median 20 min, 40 min in the previous 7 days',
    ]);
  });

  it('names a premature rate that rose by five points or more, with five verdicts in each window', () => {
    const previous = windowOf({ batch_cleanup: [50, 0] }, {}, [], null, { batch_cleanup: [49, 1] });
    const current = windowOf({ batch_cleanup: [50, 0] }, {}, [], null, { batch_cleanup: [45, 5] });
    expect(comparisonAdvice(changesBetween(previous, current), previous, current, '7 days')).toEqual([
      'Worse: batch_cleanup premature rate rose from 2.0% to 10.0% against the previous 7 days',
    ]);
    const few = windowOf({ batch_cleanup: [50, 0] }, {}, [], null, { batch_cleanup: [2, 2] });
    expect(comparisonAdvice(changesBetween(previous, few), previous, few, '7 days')).toEqual([]);
  });
});
