import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable } from '../test/support/verdictTable.js';
import { causeOf } from './analysis/causeFingerprint.js';
import { jsonReport, runAnalyzeHealing } from '../test/support/analyzeHealingRun.js';

// Against the BigQuery emulator, events seeded once through the project's own writer.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);

function event(healing_id: string, timestamp: string, healing_type: string, trigger_reason: string, root_cause: string | null, success: boolean): HealingEvent {
  return createHealingEvent({
    healing_id,
    timestamp: new Date(timestamp),
    healing_type,
    trigger_reason,
    root_cause,
    action_taken: 'seeded by analyzeHealing.test',
    before_state: { seeded: true },
    after_state: {},
    success,
    metadata: {},
  });
}

// A UTC day, 2026-02-10: 8 events in the window, one delivered twice, two just outside.
const day = [
  event('bc1', '2026-02-10T00:00:00.000Z', 'batch_cleanup', 'Batch a1 stalled at 91.2% (124/136) for 17.3 minutes', null, true),
  event('bc2', '2026-02-10T05:10:00.000Z', 'batch_cleanup', 'Batch b7 stalled at 93.0% (80/86) for 22.0 minutes', null, true),
  event('bc3', '2026-02-10T13:20:00.000Z', 'batch_cleanup', 'Batch c19 stalled at 95.5% (21/22) for 45.1 minutes', null, false),
  event('bc4', '2026-02-10T23:59:59.999Z', 'batch_cleanup', 'Batch d4 stalled at 99.0% (99/100) for 16.0 minutes', 'stalled_batch', true),
  event('r1', '2026-02-10T02:00:00.000Z', 'retry', 'Scoring call timed out after 30 s', 'upstream_timeout', true),
  event('r2', '2026-02-10T03:00:00.000Z', 'retry', 'Scoring call timed out after 60 s', 'upstream_timeout', false),
  event('r3', '2026-02-10T04:00:00.000Z', 'retry', 'Call to scoring-api returned 503 after 3 attempts', null, true),
  event('f1', '2026-02-10T06:00:00.000Z', 'fallback', 'Model v12 unavailable', 'model_unavailable', false),
  event('edge_before', '2026-02-09T23:59:59.999Z', 'batch_cleanup', 'Batch e1 stalled at 90.0% (9/10) for 15.0 minutes', null, true),
  event('edge_end', '2026-02-11T00:00:00.000Z', 'batch_cleanup', 'Batch e2 stalled at 90.0% (9/10) for 15.0 minutes', null, true),
];

// Around New York's spring-forward change (2026-03-08 02:00 EST becomes 03:00 EDT).
const dst = [
  event('dst_before', '2026-03-07T16:30:00Z', 'dst_check', 'before the window: 11:30 EST', null, true),
  event('dst_start', '2026-03-07T17:00:00Z', 'dst_check', 'exactly at the start: 12:00 EST', null, true),
  event('dst_late_evening', '2026-03-08T04:30:00Z', 'dst_check', '23:30 EST on March 7, already March 8 in UTC', null, true),
  event('dst_night', '2026-03-08T06:30:00Z', 'dst_check', '01:30 EST', null, true),
  event('dst_after_jump', '2026-03-08T07:30:00Z', 'dst_check', '03:30 EDT', null, true),
  event('dst_last', '2026-03-08T15:59:00Z', 'dst_check', '11:59 EDT', null, true),
  event('dst_end', '2026-03-08T16:00:00Z', 'dst_check', 'exactly at the end: 12:00 EDT', null, true),
  event('dst_noon_est', '2026-03-08T16:30:00Z', 'dst_check', '12:30 EDT, which a fixed EST offset would take for 11:30', null, true),
  // Around New York's fall-back change (2026-11-01 02:00 EDT becomes 01:00 EST): November 1 has 25 hours.
  event('fall_friday', '2026-10-31T03:59:00Z', 'dst_fall_check', '23:59 EDT on October 30', null, true),
  event('fall_first_hour', '2026-11-01T04:30:00Z', 'dst_fall_check', '00:30 EDT on November 1', null, true),
  event('fall_last_hour', '2026-11-02T04:30:00Z', 'dst_fall_check', '23:30 EST on November 1, its 25th hour', null, true),
  event('fall_monday', '2026-11-02T05:00:00Z', 'dst_fall_check', '00:00 EST on November 2', null, true),
];

// Reasons that stress the fingerprint, on their own day.
const fingerprintReasons = [
  'Batch a1 stalled at 91.2% (124/136) for 17.3 minutes',
  'Batch b7 stalled at 93.0% (80/86) for 22.0 minutes',
  'Batch  zz stalled\tat 90%  (9/10) for 15 minutes ',
  'Job 3f2c9e1a-7b4d-4c2e-9f00-1a2b3c4d5e6f failed at 2026-03-01T05:00:00.123Z',
  'Job 0d9e8f7a-1b2c-4d3e-8f9a-0b1c2d3e4f5a failed at 2026-03-01T06:30:00Z',
  'Retry 3 of 5 after HTTP 503 from 10.0.0.12:8080',
  'Retry 4 of 5 after HTTP 502 from 10.0.0.13:8080',
  'Upstream said "no", twice,\nthen timed out',
];
const fingerprinted = fingerprintReasons.map((reason, index) =>
  event(`fp${index}`, `2026-03-01T0${index}:15:00Z`, 'fingerprint_probe', reason, null, true),
);

const NOW = new Date('2026-02-11T12:00:00Z');

const run = (args: string[]) => runAnalyzeHealing(args, env, NOW);

const report = (args: string[]) => jsonReport(args, env, NOW);

const DAY = ['--start', '2026-02-10T00:00:00Z', '--end', '2026-02-11T00:00:00Z'];

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...day, ...dst, ...fingerprinted]);
  const again = await table.insert([day[1]!]);
  expect([outcome.rejected, again.rejected]).toEqual([[], []]);
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('analyze-healing against BigQuery', () => {
  it('gives exact totals, per-type rates and top causes in the spec JSON shape', async () => {
    const result = await report(DAY);
    expect(result.window).toEqual({ start: '2026-02-10T00:00:00Z', end: '2026-02-11T00:00:00Z', tz: 'UTC', bucket: 'hour' });
    expect(result.totals).toEqual({ events: 8, successes: 5, failures: 3, success_rate: 5 / 8 });
    expect(result.by_type).toEqual([
      { healing_type: 'batch_cleanup', events: 4, successes: 3, failures: 1, success_rate: 0.75, top_cause: 'Batch # stalled at #% (#/#) for # minutes' },
      { healing_type: 'retry', events: 3, successes: 2, failures: 1, success_rate: 2 / 3, top_cause: 'upstream_timeout' },
      { healing_type: 'fallback', events: 1, successes: 0, failures: 1, success_rate: 0, top_cause: 'model_unavailable' },
    ]);
    expect(result.top_causes).toEqual([
      { cause: 'Batch # stalled at #% (#/#) for # minutes', events: 3, failures: 1 },
      { cause: 'upstream_timeout', events: 2, failures: 1 },
      { cause: 'Call to scoring-api returned 503 after # attempts', events: 1, failures: 0 },
      { cause: 'model_unavailable', events: 1, failures: 1 },
      { cause: 'stalled_batch', events: 1, failures: 0 },
    ]);
    expect(result.recommendations.map((advice) => advice.split(' ').slice(0, 3).join(' '))).toEqual([
      'fallback failed every',
      'batch_cleanup succeeded in',
      'retry succeeded in',
    ]);
  });

  it('spreads the events over 24 hourly buckets per type', async () => {
    const { trend } = await report(DAY);
    expect(trend).toHaveLength(24 * 3);
    expect(trend.filter((point) => point.events > 0)).toEqual([
      { bucket_start: '2026-02-10T00:00:00Z', healing_type: 'batch_cleanup', events: 1 },
      { bucket_start: '2026-02-10T02:00:00Z', healing_type: 'retry', events: 1 },
      { bucket_start: '2026-02-10T03:00:00Z', healing_type: 'retry', events: 1 },
      { bucket_start: '2026-02-10T04:00:00Z', healing_type: 'retry', events: 1 },
      { bucket_start: '2026-02-10T05:00:00Z', healing_type: 'batch_cleanup', events: 1 },
      { bucket_start: '2026-02-10T06:00:00Z', healing_type: 'fallback', events: 1 },
      { bucket_start: '2026-02-10T13:00:00Z', healing_type: 'batch_cleanup', events: 1 },
      { bucket_start: '2026-02-10T23:00:00Z', healing_type: 'batch_cleanup', events: 1 },
    ]);
  });

  it('orders tied causes by name and keeps only --top of them', async () => {
    const { top_causes } = await report([...DAY, '--top', '3']);
    expect(top_causes.map((cause) => cause.cause)).toEqual([
      'Batch # stalled at #% (#/#) for # minutes',
      'upstream_timeout',
      'Call to scoring-api returned 503 after # attempts',
    ]);
  });

  it('counts an event exactly at --start and leaves out one exactly at --end', async () => {
    const { totals } = await report(['--start', '2026-02-10T00:00:00Z', '--end', '2026-02-10T23:59:59.999Z', '--type', 'batch_cleanup']);
    expect(totals.events).toBe(3);
    const shifted = await report(['--start', '2026-02-09T23:59:59.999Z', '--end', '2026-02-10T00:00:00Z']);
    expect(shifted.totals.events).toBe(1);
  });

  it('counts a healing_id delivered twice once', async () => {
    const [rows] = await bigquery.query({ query: `SELECT COUNT(*) AS copies FROM ${table.sqlName} WHERE healing_id = @id`, params: { id: 'bc2' } });
    expect(rows).toEqual([{ copies: 2 }]);
    const { totals } = await report([...DAY, '--type', 'batch_cleanup']);
    expect(totals).toEqual({ events: 4, successes: 3, failures: 1, success_rate: 0.75 });
  });

  it('reads a New York window across the spring-forward change in local time, with hourly buckets in the zone', async () => {
    const result = await report(['--start', '2026-03-07 12:00', '--end', '2026-03-08 12:00', '--tz', 'America/New_York', '--type', 'dst_check']);
    expect(result.window).toEqual({ start: '2026-03-07T12:00:00-05:00', end: '2026-03-08T12:00:00-04:00', tz: 'America/New_York', bucket: 'hour' });
    expect(result.totals.events).toBe(5);
    expect(result.trend).toHaveLength(23);
    expect(result.trend.filter((point) => point.events > 0).map((point) => point.bucket_start)).toEqual([
      '2026-03-07T12:00:00-05:00',
      '2026-03-07T23:00:00-05:00',
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T11:00:00-04:00',
    ]);
  });

  it('buckets a long New York window by local day, across the change', async () => {
    const result = await report(['--start', '2026-03-05', '--end', '2026-03-10', '--tz', 'America/New_York', '--type', 'dst_check']);
    expect(result.window.bucket).toBe('day');
    expect(result.trend).toEqual([
      { bucket_start: '2026-03-05T00:00:00-05:00', healing_type: 'dst_check', events: 0 },
      { bucket_start: '2026-03-06T00:00:00-05:00', healing_type: 'dst_check', events: 0 },
      { bucket_start: '2026-03-07T00:00:00-05:00', healing_type: 'dst_check', events: 3 },
      { bucket_start: '2026-03-08T00:00:00-05:00', healing_type: 'dst_check', events: 5 },
      { bucket_start: '2026-03-09T00:00:00-04:00', healing_type: 'dst_check', events: 0 },
    ]);
  });

  it('buckets a long New York window by local day across the fall-back change, the 25th hour in its own day', async () => {
    const result = await report(['--start', '2026-10-30', '--end', '2026-11-03', '--tz', 'America/New_York', '--type', 'dst_fall_check']);
    expect(result.trend).toEqual([
      { bucket_start: '2026-10-30T00:00:00-04:00', healing_type: 'dst_fall_check', events: 1 },
      { bucket_start: '2026-10-31T00:00:00-04:00', healing_type: 'dst_fall_check', events: 0 },
      { bucket_start: '2026-11-01T00:00:00-04:00', healing_type: 'dst_fall_check', events: 2 },
      { bucket_start: '2026-11-02T00:00:00-05:00', healing_type: 'dst_fall_check', events: 1 },
    ]);
  });

  it('groups trigger reasons in BigQuery exactly as the TypeScript fingerprint does', async () => {
    const { top_causes } = await report(['--start', '2026-03-01', '--end', '2026-03-02', '--type', 'fingerprint_probe', '--top', '50']);
    const expected = new Map<string, number>();
    for (const seeded of fingerprinted) expected.set(causeOf(seeded), (expected.get(causeOf(seeded)) ?? 0) + 1);
    // HTTP 503 and HTTP 502 stay apart: the status code names the cause.
    expect(expected.size).toBe(6);
    const ranked = [...expected].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([cause, events]) => ({ cause, events, failures: 0 }));
    expect(top_causes).toEqual(ranked);
  });

  it('matches nothing and breaks nothing with a --type that looks like SQL injection', async () => {
    const injected = await report([...DAY, '--type', "x' OR '1'='1"]);
    expect(injected.totals).toEqual({ events: 0, successes: 0, failures: 0, success_rate: null });
    expect(injected.filter).toEqual({ healing_type: "x' OR '1'='1" });
    const afterwards = await report([...DAY, '--type', 'retry']);
    expect(afterwards.totals.events).toBe(3);
  });

  it('says there were no healing events for an empty window, and exits 0', async () => {
    expect(await run(['--start', '2020-01-01', '--end', '2020-01-02'])).toEqual({
      code: 0,
      stdout: 'No healing events from 2020-01-01 00:00 +00:00 to 2020-01-02 00:00 +00:00 (UTC, 24 h).\n',
      stderr: '',
    });
  });

  it('draws the table for a person: window, totals, types, causes, advice', async () => {
    const { code, stdout } = await run(DAY);
    expect(code).toBe(0);
    expect(stdout).toContain('Healing events from 2026-02-10 00:00 +00:00 to 2026-02-11 00:00 +00:00 (UTC, 24 h)');
    expect(stdout).toContain('8 events: 5 succeeded, 3 failed, success rate 62.5%');
    expect(stdout).toMatch(/batch_cleanup +4 +3 +1 +75\.0% +[▁-█]{24} +peak 1/);
    expect(stdout).toContain('Batch # stalled at #% (#/#) for # minutes');
    expect(stdout).toContain('- fallback failed every time (1 of 1 events)');
  });
});
