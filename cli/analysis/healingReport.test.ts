import { analysisRow as row } from '../../test/support/analysisRows.js';
import { toAnalysisRequest } from '../analysisRequest.js';
import { planBuckets } from '../timeWindow.js';
import type { AnalysisRow } from './analysisQuery.js';
import { buildReport } from './healingReport.js';

const request = toAnalysisRequest({ start: '2026-03-01 10:00', end: '2026-03-01 13:00', tz: 'Europe/Berlin' }, new Date());
const plan = planBuckets(request.window);

const rows: AnalysisRow[] = [
  row('type', { healing_type: 'retry', events: 3, failures: 1, later_events: 2 }),
  row('type', { healing_type: 'batch_cleanup', events: 3, failures: 0, later_events: 1 }),
  row('type', { healing_type: 'fallback', events: 4, failures: 4, later_events: 2 }),
  row('type_cause', { healing_type: 'retry', cause: 'upstream_timeout', position: 1, events: 2, failures: 1 }),
  row('cause', { cause: 'stalled_batch', position: 2, events: 3 }),
  row('cause', { cause: 'model_down', position: 1, events: 4, failures: 4 }),
  row('trend', { healing_type: 'retry', position: 2, events: 3, failures: 1 }),
  row('trend', { healing_type: 'fallback', position: 0, events: 4, failures: 4 }),
];

describe('healing report', () => {
  const report = buildReport(request, plan, rows);

  it('sums the types into totals', () => {
    expect(report.totals).toEqual({ events: 10, successes: 5, failures: 5, success_rate: 0.5 });
  });

  it('orders types by events, ties by name, each with its counts, rate and main cause', () => {
    expect(report.by_type).toEqual([
      { healing_type: 'fallback', events: 4, successes: 0, failures: 4, success_rate: 0, top_cause: null },
      { healing_type: 'batch_cleanup', events: 3, successes: 3, failures: 0, success_rate: 1, top_cause: null },
      { healing_type: 'retry', events: 3, successes: 2, failures: 1, success_rate: 2 / 3, top_cause: 'upstream_timeout' },
    ]);
  });

  it('lists the top causes in the rank BigQuery gave them', () => {
    expect(report.top_causes.map((cause) => cause.cause)).toEqual(['model_down', 'stalled_batch']);
  });

  it('gives every type a point in every bucket, zero where nothing happened, in the zone', () => {
    expect(report.trend).toHaveLength(9);
    expect(report.trend.slice(0, 3)).toEqual([
      { bucket_start: '2026-03-01T10:00:00+01:00', healing_type: 'batch_cleanup', events: 0 },
      { bucket_start: '2026-03-01T10:00:00+01:00', healing_type: 'fallback', events: 4 },
      { bucket_start: '2026-03-01T10:00:00+01:00', healing_type: 'retry', events: 0 },
    ]);
    expect(report.trend[8]).toEqual({ bucket_start: '2026-03-01T12:00:00+01:00', healing_type: 'retry', events: 3 });
  });

  it('shows the window in the zone with its bucket size', () => {
    expect(report.window).toEqual({ start: '2026-03-01T10:00:00+01:00', end: '2026-03-01T13:00:00+01:00', tz: 'Europe/Berlin', bucket: 'hour' });
  });

  it('has a null success rate and empty lists when nothing happened', () => {
    const empty = buildReport(request, plan, []);
    expect(empty.totals).toEqual({ events: 0, successes: 0, failures: 0, success_rate: null });
    expect([empty.by_type, empty.top_causes, empty.trend, empty.recommendations]).toEqual([[], [], [], []]);
  });

  it('has no verdicts and no stall recommendation without verdict rows', () => {
    expect([report.verdicts, report.stall_recommendation]).toEqual([[], null]);
  });

  it('adds the verdicts, the stall recommendation and their sentences', () => {
    const comebacks = [1, 2, 40];
    const withVerdicts = buildReport(request, plan, [
      ...rows,
      row('verdict_type', { healing_type: 'batch_cleanup' }),
      row('verdict', { healing_type: 'batch_cleanup', verdict: 'held', events: 0 }),
      row('verdict', { healing_type: 'batch_cleanup', verdict: 'premature', events: 3 }),
      row('stall_rule', { healing_type: 'batch_cleanup', stall_minutes: 15, events: 3, position: 2 }),
      ...comebacks.map((minutes) => row('premature', { healing_type: 'batch_cleanup', stall_minutes: 15, progress_after_minutes: minutes, events: 1, late_players: 1 })),
    ]);
    expect(withVerdicts.verdicts).toEqual([
      { healing_type: 'batch_cleanup', held: 0, premature: 3, gone: 0, undone: 0, open: 0, premature_rate: 1, late_players: 3 },
    ]);
    expect(withVerdicts.stall_recommendation).toEqual({ current_minutes: 15, recommended_minutes: 56, premature_avoided: 3, premature_total: 3, added_minutes_per_heal: 41 });
    expect(withVerdicts.recommendations.slice(-2)).toEqual([
      'batch_cleanup healed 3 batches too early (100.0% of 3 held or premature): workers added 3 players after the heal',
      'raising STALL_MINUTES from 15 to 56 would have avoided 3 of 3 premature heals; every heal would wait 41 minutes longer',
    ]);
  });

  it('refuses a bucket outside the window rather than dropping its events', () => {
    expect(() => buildReport(request, plan, [...rows, row('trend', { healing_type: 'retry', position: 3, events: 1 })])).toThrow('outside');
  });
});
