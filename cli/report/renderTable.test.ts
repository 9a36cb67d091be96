import type { HealingReport } from '../analysis/healingReport.js';
import { renderTable } from './renderTable.js';

const report: HealingReport = {
  window: { start: '2026-03-07T12:00:00-05:00', end: '2026-03-08T12:00:00-04:00', tz: 'America/New_York', bucket: 'hour' },
  filter: { healing_type: null },
  totals: { events: 1204, successes: 1200, failures: 4, success_rate: 1200 / 1204 },
  by_type: [
    { healing_type: 'batch_cleanup', events: 1200, successes: 1199, failures: 1, success_rate: 1199 / 1200, top_cause: 'stalled_batch' },
    { healing_type: 'fallback', events: 4, successes: 1, failures: 3, success_rate: 0.25, top_cause: null },
  ],
  top_causes: [
    { cause: 'stalled_batch', events: 1100, failures: 1 },
    { cause: `Batch # stalled ${'x'.repeat(200)}`, events: 104, failures: 3 },
  ],
  time_to_heal: { heals: 1199, median_minutes: 21.5, p95_minutes: 130 },
  verdicts: [],
  stall_recommendation: null,
  trend: [
    { bucket_start: '2026-03-07T12:00:00-05:00', healing_type: 'batch_cleanup', events: 0 },
    { bucket_start: '2026-03-07T12:00:00-05:00', healing_type: 'fallback', events: 4 },
    { bucket_start: '2026-03-07T13:00:00-05:00', healing_type: 'batch_cleanup', events: 1200 },
    { bucket_start: '2026-03-07T13:00:00-05:00', healing_type: 'fallback', events: 0 },
  ],
  recommendations: ['fallback succeeded in only 25.0% of 4 events (3 failed): see why with --type fallback --export fallback.csv'],
};

describe('table rendering', () => {
  const text = renderTable(report);
  const lines = text.split('\n');

  it('opens with the window in the chosen zone, offsets shown', () => {
    expect(lines[0]).toBe('Healing events from 2026-03-07 12:00 -05:00 to 2026-03-08 12:00 -04:00 (America/New_York, 23 h)');
  });

  it('gives the totals with thousands separators and the success rate', () => {
    expect(text).toContain('1,204 events: 1,200 succeeded, 4 failed, success rate 99.7%');
  });

  it('aligns one row per type with its counts, rate and sparkline', () => {
    expect(text).toContain('TYPE           EVENTS  SUCCEEDED  FAILED  SUCCESS  EVENTS PER HOUR');
    expect(text).toContain('batch_cleanup   1,200      1,199       1    99.9%  ▁█  peak 1200');
    expect(text).toContain('fallback            4          1       3    25.0%  █▁  peak 4');
  });

  it('ranks the causes and shortens a long one', () => {
    expect(text).toContain('   1   1,100       1  stalled_batch');
    const long = lines.find((line) => line.includes('Batch # stalled'))!;
    expect(long.endsWith('…')).toBe(true);
    expect(long.length).toBeLessThan(130);
  });

  it('ends with the recommendations', () => {
    expect(lines.slice(-3)).toEqual(['RECOMMENDATIONS', `- ${report.recommendations[0]}`, '']);
  });

  it('shows time to heal for every type and for batch_cleanup, and leaves it out for another type', () => {
    expect(text).toContain('Time to heal (batch_cleanup, last progress to successful heal): median 21.5');
    expect(renderTable({ ...report, filter: { healing_type: 'batch_cleanup' } })).toContain('Time to heal');
    expect(renderTable({ ...report, filter: { healing_type: 'retry' }, time_to_heal: null })).not.toContain('Time to heal');
  });

  it('prints no control character and no endless line whatever the events hold', () => {
    const hostile = (name: string) => `\u001b]0;${name}\u0007\u001b[31m${name}\u001b[0m\u0007\u009b2J\u202e${'z'.repeat(2000)}`;
    const text = renderTable({
      ...report,
      filter: { healing_type: hostile('filter') },
      by_type: report.by_type.map((type) => ({ ...type, healing_type: hostile(type.healing_type), top_cause: hostile('cause') })),
      top_causes: report.top_causes.map((cause) => ({ ...cause, cause: hostile(cause.cause) })),
      verdicts: [{ healing_type: hostile('batch_cleanup'), held: 3, premature: 1, gone: 0, undone: 0, open: 1, premature_rate: 0.25, late_players: 2 }],
      trend: report.trend.map((point) => ({ ...point, healing_type: hostile(point.healing_type) })),
      previous: {
        window: { start: '2026-03-06T12:00:00-05:00', end: '2026-03-07T12:00:00-05:00', tz: 'America/New_York' },
        totals: report.totals,
        by_type: [],
        top_causes: [],
        time_to_heal: null,
        verdicts: [],
      },
      changes: [
        { scope: 'type', name: hostile('retry'), previous: 1, current: 2, change: 1, change_pct: 100 },
        { scope: 'cause', name: hostile('cause'), previous: 1, current: 2, change: 1, change_pct: 100 },
      ],
      recommendations: [hostile('advice')],
    });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain('[31mbatch_cleanup[0m');
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(420);
  });

  it('says plainly when there were no healing events', () => {
    const empty = { ...report, filter: { healing_type: 'retry' }, totals: { events: 0, successes: 0, failures: 0, success_rate: null } };
    expect(renderTable(empty)).toBe(
      'No healing events of type retry from 2026-03-07 12:00 -05:00 to 2026-03-08 12:00 -04:00 (America/New_York, 23 h).\n',
    );
  });
});
