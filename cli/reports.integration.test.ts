import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { closedLoopbackPort } from '../test/support/closedLoopbackPort.js';
import { commonTestConfig, emulatorEnv, UNREACHABLE_URL, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable } from '../test/support/verdictTable.js';
import { SlackReceiver } from '../test/support/slackReceiver.js';
import { jsonReport, runAnalyzeHealing } from '../test/support/analyzeHealingRun.js';

// Reports over seeded windows of known counts, against the BigQuery emulator.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);
const NOW = new Date('2026-04-15T00:00:00Z');
const scratch = mkdtempSync(join(tmpdir(), 'reports-test-'));

let serial = 0;
function events(count: number, firstAt: string, type: string, rootCause: string, options: { failures?: number; stallMinutes?: number[] } = {}): HealingEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const timestamp = new Date(Date.parse(firstAt) + index * 60_000);
    const stall = options.stallMinutes?.[index];
    return createHealingEvent({
      healing_id: `${type}-${serial++}`,
      timestamp,
      healing_type: type,
      trigger_reason: `seeded ${type} ${index}`,
      root_cause: rootCause,
      action_taken: 'seeded by reports.test',
      before_state: stall === undefined ? { seeded: true } : { updated_at: new Date(timestamp.getTime() - stall * 60_000).toISOString() },
      after_state: {},
      success: index >= (options.failures ?? 0),
      metadata: {},
    });
  });
}

// The previous week (2026-04-01 to 04-08) and this week (04-08 to 04-15), with known counts.
const previousWeek = [
  ...events(12, '2026-04-02T10:00:00Z', 'batch_cleanup', 'stalled_batch'),
  ...events(2, '2026-04-03T10:00:00Z', 'retry', 'upstream_timeout'),
  ...events(4, '2026-04-07T23:50:00Z', 'circuit_breaker_reset', 'breaker_open'),
];
const thisWeek = [
  ...events(6, '2026-04-08T00:00:00Z', 'batch_cleanup', 'stalled_batch'),
  ...events(6, '2026-04-10T10:00:00Z', 'retry', 'upstream_timeout', { failures: 2 }),
  ...events(3, '2026-04-14T23:57:00Z', 'fallback', 'model_unavailable'),
];
const outside = events(5, '2026-03-31T23:00:00Z', 'batch_cleanup', 'stalled_batch');

// A day of batch_cleanup heals with known stall times, in no order: 6 of 10 minutes, 8 of 20, 6 of 45.
const stalls = [45, 10, 20, 45, 20, 10, 20, 45, 10, 20, 45, 10, 20, 20, 45, 10, 20, 45, 10, 20];
const healDay = [
  ...events(20, '2026-05-10T01:00:00Z', 'batch_cleanup', 'stalled_batch', { stallMinutes: stalls }),
  // Not counted: failed heals, a heal without its last progress, another type with one.
  ...events(2, '2026-05-10T03:00:00Z', 'batch_cleanup', 'stalled_batch', { failures: 2, stallMinutes: [500, 500] }),
  ...events(1, '2026-05-10T04:00:00Z', 'batch_cleanup', 'stalled_batch'),
  ...events(1, '2026-05-10T05:00:00Z', 'retry', 'upstream_timeout', { stallMinutes: [1000] }),
];

const run = (args: string[], extraEnv: Record<string, string> = {}) => runAnalyzeHealing(args, { ...env, ...extraEnv }, NOW);

const report = (args: string[]) => jsonReport(args, env, NOW);

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...previousWeek, ...thisWeek, ...outside, ...healDay]);
  const again = await table.insert([previousWeek[0]!, healDay[19]!]);
  expect([outcome.rejected, again.rejected]).toEqual([[], []]);
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('--last and --compare against BigQuery', () => {
  it('reads --last 7d as the week ending now and the previous week next to it', async () => {
    const result = await report(['--last', '7d', '--compare', '--top', '2']);
    expect(result.window).toMatchObject({ start: '2026-04-08T00:00:00Z', end: '2026-04-15T00:00:00Z' });
    expect(result.totals).toEqual({ events: 15, successes: 13, failures: 2, success_rate: 13 / 15 });
    expect(result.previous!.window).toEqual({ start: '2026-04-01T00:00:00Z', end: '2026-04-08T00:00:00Z', tz: 'UTC' });
    expect(result.previous!.totals).toEqual({ events: 18, successes: 18, failures: 0, success_rate: 1 });
    expect(result.previous!.by_type.map((type) => [type.healing_type, type.events])).toEqual([
      ['batch_cleanup', 12],
      ['circuit_breaker_reset', 4],
      ['retry', 2],
    ]);
    expect(result.previous!.top_causes).toEqual([
      { cause: 'stalled_batch', events: 12, failures: 0 },
      { cause: 'breaker_open', events: 4, failures: 0 },
    ]);
  });

  it('gives the change of the totals, of each type and of each top cause of either window', async () => {
    const { changes } = await report(['--last', '7d', '--compare', '--top', '2']);
    expect(changes).toEqual([
      { scope: 'total', name: null, previous: 18, current: 15, change: -3, change_pct: -16.7 },
      { scope: 'type', name: 'batch_cleanup', previous: 12, current: 6, change: -6, change_pct: -50 },
      { scope: 'type', name: 'retry', previous: 2, current: 6, change: 4, change_pct: 200 },
      { scope: 'type', name: 'fallback', previous: 0, current: 3, change: 3, change_pct: null },
      { scope: 'type', name: 'circuit_breaker_reset', previous: 4, current: 0, change: -4, change_pct: -100 },
      { scope: 'cause', name: 'stalled_batch', previous: 12, current: 6, change: -6, change_pct: -50 },
      // upstream_timeout is outside the previous week's top 2, and still counted there.
      { scope: 'cause', name: 'upstream_timeout', previous: 2, current: 6, change: 4, change_pct: 200 },
      { scope: 'cause', name: 'breaker_open', previous: 4, current: 0, change: -4, change_pct: -100 },
    ]);
  });

  it('says what got worse and what improved against the previous 7 days', async () => {
    const { recommendations } = await report(['--last', '7d', '--compare', '--top', '2']);
    const compared = recommendations.filter((advice) => /^(Worse|Better):/.test(advice));
    expect(compared).toEqual([
      'Worse: retry up 200% against the previous 7 days (2 then, 6 now)',
      'Worse: fallback is new: 3 events, none in the previous 7 days',
      'Worse: cause "upstream_timeout" up 200% against the previous 7 days (2 then, 6 now)',
      'Better: batch_cleanup down 50% against the previous 7 days (12 then, 6 now)',
      'Better: circuit_breaker_reset stopped: no events, 4 in the previous 7 days',
      'Better: cause "stalled_batch" down 50% against the previous 7 days (12 then, 6 now)',
      'Better: cause "breaker_open" stopped: no events, 4 in the previous 7 days',
    ]);
  });

  it('shows the comparison in the table', async () => {
    const { code, stdout } = await run(['--last', '7d', '--compare', '--top', '2']);
    expect(code).toBe(0);
    expect(stdout).toContain('AGAINST THE PREVIOUS 7 DAYS (2026-04-01 00:00 +00:00 to 2026-04-08 00:00 +00:00)');
    expect(stdout).toMatch(/total +all healing +18 +15 +-3 \(-16\.7%\)/);
    expect(stdout).toMatch(/type +fallback +0 +3 +\+3 \(new\)/);
    expect(stdout).toContain('- Better: batch_cleanup down 50% against the previous 7 days (12 then, 6 now)');
  });

  it('leaves previous and changes out without --compare', async () => {
    const result = await report(['--last', '7d']);
    expect(result).not.toHaveProperty('previous');
    expect(result).not.toHaveProperty('changes');
  });
});

describe('time to heal against BigQuery', () => {
  const DAY = ['--start', '2026-05-10', '--end', '2026-05-11'];

  it('gives the median and p95 minutes from last progress to successful batch_cleanup heal', async () => {
    const { time_to_heal } = await report(DAY);
    expect(time_to_heal).toEqual({ heals: 20, median_minutes: 20, p95_minutes: 45 });
  });

  it('is null in a window without measurable heals', async () => {
    const result = await report(['--last', '7d', '--compare']);
    expect(result.time_to_heal).toBeNull();
    expect(result.previous!.time_to_heal).toBeNull();
  });

  it('shows it in the table', async () => {
    const { stdout } = await run(DAY);
    expect(stdout).toContain('Time to heal (batch_cleanup, last progress to successful heal): median 20 min, p95 45 min over 20 heals');
  });
});

describe('--slack', () => {
  const receiver = new SlackReceiver();
  let webhook: string;
  beforeAll(async () => {
    webhook = await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('posts one Block Kit digest with the totals, the types and the changes', async () => {
    receiver.status = 200;
    receiver.messages.length = 0;
    const { code, stderr } = await run(['--last', '7d', '--compare', '--slack'], { SLACK_WEBHOOK_URL: webhook });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(receiver.messages).toHaveLength(1);
    const [message] = receiver.messages;
    expect(message!.blocks!.length).toBeGreaterThan(3);
    const text = receiver.textOf(message!);
    expect(message!.text).toContain('15 events');
    expect(text).toContain('86.7% succeeded');
    expect(text).toContain('-3 (-16.7%) against the previous 7 days');
    expect(text).toContain('batch_cleanup');
    expect(text).toContain('Better: batch_cleanup down 50% against the previous 7 days');
  });

  it('exits 1 with one line that never shows the webhook when Slack fails', async () => {
    receiver.status = 500;
    const down = await run(['--last', '7d', '--slack'], { SLACK_WEBHOOK_URL: webhook });
    const closedPort = await closedLoopbackPort();
    const unreachable = await run(['--last', '7d', '--slack'], { SLACK_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/services/T000/B000/SECRET` });
    for (const [result, reason] of [
      [down, 'HTTP 500'],
      // Jest's sandbox loses fetch's cause across realms; the built program says ECONNREFUSED.
      [unreachable, '(ECONNREFUSED|fetch failed)'],
    ] as const) {
      expect(result.code).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^analyze-healing: posting the digest to Slack failed: .*${reason}`))]);
      expect(result.stderr + result.stdout).not.toContain('/services/');
    }
  });

  it('exits 2 naming SLACK_WEBHOOK_URL when it is not set, before asking BigQuery', async () => {
    const result = await run(['--slack'], { BIGQUERY_EMULATOR_HOST: UNREACHABLE_URL });
    expect(result).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining('SLACK_WEBHOOK_URL') });
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('--html', () => {
  it('writes one page with the totals and the charts', async () => {
    const file = join(scratch, 'week.html');
    const { code, stderr } = await run(['--last', '7d', '--compare', '--html', file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const page = readFileSync(file, 'utf8');
    expect(page.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
    expect(page).toContain('<div class="value">15</div>');
  });
});
