import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable, insertVerdicts } from '../test/support/verdictTable.js';
import type { HealingReport } from './analysis/healingReport.js';
import { runAnalyzeHealing } from '../test/support/analyzeHealingRun.js';

// Any service writes healing events, so their texts may hold terminal escape sequences: the table
// must print none of them, the JSON must keep them exactly. Against the BigQuery emulator.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);

/** ESC colour and screen-clearing sequences, an OSC window title ended by BEL, an OSC 8 hyperlink, a one-byte CSI, a bell. */
const escapes = (text: string) => `\u001b[31m${text}\u001b[0m\u001b[2J\u001b]0;pwned\u0007\u001b]8;;https://evil.example\u001b\\${text}\u001b]8;;\u001b\\\u009b1A\u0007`;
const TYPE = escapes('retry');
const ROOT_CAUSE = escapes('upstream_timeout');
const REASON = escapes('Call 42 failed with HTTP 503');

let serial = 0;
function event(at: string, healing_type: string, root_cause: string | null, success: boolean): HealingEvent {
  return createHealingEvent({
    healing_id: `escape-${serial++}`,
    timestamp: new Date(at),
    healing_type,
    trigger_reason: REASON,
    root_cause,
    action_taken: escapes('action'),
    before_state: {},
    after_state: {},
    success,
    metadata: {},
  });
}

// Two days: enough events of the hostile type that it is frequent, failing, rising and compared.
const events = [
  event('2026-08-01T10:00:00Z', TYPE, ROOT_CAUSE, true),
  ...Array.from({ length: 12 }, (_, index) => event(`2026-08-02T${String(10 + (index % 12)).padStart(2, '0')}:00:00Z`, TYPE, index % 2 === 0 ? null : ROOT_CAUSE, index % 3 !== 0)),
];

const NOW = new Date('2026-08-03T00:00:00Z');

const run = (args: string[]) => runAnalyzeHealing(args, env, NOW);

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  expect((await table.insert(events)).rejected).toEqual([]);
  await insertVerdicts(
    bigquery,
    config.dataset,
    config.verdictTable,
    events
      .filter((seeded) => seeded.success)
      .map((seeded, index) => ({
        healing_id: seeded.healing_id,
        healing_type: seeded.healing_type,
        verdict: index % 2 === 0 ? 'premature' : 'held',
        checked_at: new Date(seeded.timestamp.getTime() + 3_600_000),
        healed_at: seeded.timestamp,
        stall_minutes: 15,
        late_players: 1,
        progress_after_minutes: 5,
        actor: escapes('actor'),
        reason: escapes('reason'),
      })),
  );
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('escape sequences in event texts', () => {
  const args = ['--start', '2026-08-02', '--end', '2026-08-03', '--compare', '--top', '10'];

  it('never reach the terminal through the table, in any section', async () => {
    const { code, stdout } = await run([...args, '--type', TYPE]);
    expect(code).toBe(0);
    expect(stdout).toContain('PREMATURE');
    expect(stdout).toContain('RECOMMENDATIONS');
    expect(stdout).toContain('AGAINST THE PREVIOUS 24 HOURS');
    expect(stdout).toContain('[31mretry[0m');
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('stay exactly as written in the JSON', async () => {
    const { code, stdout } = await run([...args, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as HealingReport;
    expect(report.by_type.map((type) => type.healing_type)).toEqual([TYPE]);
    expect(report.verdicts.map((verdict) => verdict.healing_type)).toEqual([TYPE]);
    expect(report.top_causes.map((cause) => cause.cause)).toContain(ROOT_CAUSE);
  });
});
