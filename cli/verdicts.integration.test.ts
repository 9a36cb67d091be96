import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable, insertVerdicts, type VerdictRow } from '../test/support/verdictTable.js';
import type { HealingReport } from './analysis/healingReport.js';
import { jsonReport, runAnalyzeHealing } from '../test/support/analyzeHealingRun.js';

// Heal verdicts in the report, against the BigQuery emulator: heals and verdicts seeded through the
// tables as the job writes them, the numbers worked out by hand below.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);
const MINUTE = 60_000;

function heal(healing_id: string, at: string, { success = true, stallRule = 15, type = 'batch_cleanup' } = {}): HealingEvent {
  const timestamp = new Date(at);
  return createHealingEvent({
    healing_id,
    timestamp,
    healing_type: type,
    trigger_reason: `Batch ${healing_id} stalled at 95.0% (19/20) for 20.0 minutes`,
    root_cause: 'stalled_batch',
    action_taken: 'seeded by verdicts.test',
    before_state: { stall_minutes: 20, updated_at: new Date(timestamp.getTime() - 20 * MINUTE).toISOString() },
    after_state: { is_complete: true },
    success,
    metadata: { batch_id: healing_id, rule: { stall_minutes: stallRule, min_completion_pct: 90 } },
  });
}

function verdict(event: HealingEvent, kind: VerdictRow['verdict'], minutesAfter: number, numbers: { stall?: number; progress?: number; late?: number } = {}): VerdictRow {
  return {
    healing_id: event.healing_id,
    healing_type: event.healing_type,
    verdict: kind,
    checked_at: new Date(event.timestamp.getTime() + minutesAfter * MINUTE),
    healed_at: event.timestamp,
    stall_minutes: numbers.stall ?? null,
    late_players: numbers.late ?? null,
    progress_after_minutes: numbers.progress ?? null,
  };
}

const at = (day: string, index: number) => new Date(Date.parse(`${day}T00:30:00Z`) + index * 20 * MINUTE).toISOString();

// 2026-07-10: 25 successful batch heals and one failed heal.
const day = Array.from({ length: 25 }, (_, index) => heal(`day-${index}`, at('2026-07-10', index), { stallRule: index < 20 ? 15 : 10 }));
const failed = heal('day-failed', at('2026-07-10', 30), { success: false });
// Ten premature heals whose workers went silent for 16..23, 31.5 and 55 minutes: stall + progress after the heal.
const silences = [
  [15, 1],
  [15, 2],
  [15, 3],
  [15, 4],
  [15, 5],
  [15, 6],
  [15, 7],
  [15, 8],
  [15, 16.5],
  [20, 35],
] as const;
const dayVerdicts: VerdictRow[] = [
  ...day.slice(0, 10).map((event) => verdict(event, 'held', 60)),
  ...day.slice(10, 20).map((event, index) => verdict(event, 'premature', 30, { stall: silences[index]![0], progress: silences[index]![1], late: index + 1 })),
  verdict(day[20]!, 'gone', 60),
  // Held, then undone by an operator: the later row wins.
  verdict(day[21]!, 'held', 60),
  verdict(day[21]!, 'undone', 180),
  // Premature, then undone: neither its verdict nor its late players count as premature.
  verdict(day[22]!, 'premature', 30, { stall: 15, progress: 2, late: 100 }),
  verdict(day[22]!, 'undone', 200),
  // day[23] and day[24] have no verdict yet: open.
  // Not heals of the window: a failed heal's row, and a heal the events table does not have.
  verdict(failed, 'held', 60),
  { ...verdict(day[0]!, 'premature', 40, { stall: 15, progress: 3, late: 9 }), healing_id: 'not-an-event' },
];

// 2026-07-09, the day before: 4 held, 1 premature.
const before = Array.from({ length: 5 }, (_, index) => heal(`before-${index}`, at('2026-07-09', index)));
const beforeVerdicts = before.map((event, index) => (index === 0 ? verdict(event, 'premature', 30, { stall: 15, progress: 5, late: 1 }) : verdict(event, 'held', 60)));

// 2026-07-12: only 2 premature heals, too few for a recommendation.
const few = Array.from({ length: 5 }, (_, index) => heal(`few-${index}`, at('2026-07-12', index)));
const fewVerdicts = few.map((event, index) => (index < 2 ? verdict(event, 'premature', 30, { stall: 15, progress: 30, late: 3 }) : verdict(event, 'held', 60)));

const NOW = new Date('2026-07-20T00:00:00Z');

const run = (args: string[], extraEnv: Record<string, string> = {}) => runAnalyzeHealing(args, { ...env, ...extraEnv }, NOW);

const report = (args: string[]) => jsonReport(args, env, NOW);

const DAY = ['--start', '2026-07-10', '--end', '2026-07-11'];

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...day, failed, ...before, ...few]);
  expect(outcome.rejected).toEqual([]);
  await insertVerdicts(bigquery, config.dataset, config.verdictTable, [...dayVerdicts, ...beforeVerdicts, ...fewVerdicts]);
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('heal verdicts in analyze-healing', () => {
  it('counts each successful heal of the window by its latest verdict, the open ones, the premature rate and the late players', async () => {
    const { verdicts } = await report(DAY);
    expect(verdicts).toEqual([
      { healing_type: 'batch_cleanup', held: 10, premature: 10, gone: 1, undone: 2, open: 2, premature_rate: 10 / 20, late_players: 55 },
    ]);
  });

  it('recommends the STALL_MINUTES that would have avoided 90% of the premature heals, from the most common rule', async () => {
    // Silences sorted: 16..23, 31.5, 55. Nine of ten need a rule longer than 31.5 minutes: 32, from the rule of 15 (20 heals; 5 had 10).
    const result = await report(DAY);
    expect(result.stall_recommendation).toEqual({ current_minutes: 15, recommended_minutes: 32, premature_avoided: 9, premature_total: 10, added_minutes_per_heal: 17 });
    expect(result.recommendations).toContain('raising STALL_MINUTES from 15 to 32 would have avoided 9 of 10 premature heals; every heal would wait 17 minutes longer');
    expect(result.recommendations).toContain('batch_cleanup healed 10 batches too early (50.0% of 20 held or premature): workers added 55 players after the heal');
  });

  it('has no stall recommendation with fewer than 3 premature heals', async () => {
    const result = await report(['--start', '2026-07-12', '--end', '2026-07-13']);
    expect(result.verdicts).toEqual([{ healing_type: 'batch_cleanup', held: 3, premature: 2, gone: 0, undone: 0, open: 0, premature_rate: 0.4, late_players: 6 }]);
    expect(result.stall_recommendation).toBeNull();
    expect(result.recommendations.some((advice) => advice.startsWith('raising STALL_MINUTES'))).toBe(false);
  });

  it('gives the premature rate then and now with --compare', async () => {
    const result = await report([...DAY, '--compare']);
    expect(result.previous!.verdicts).toEqual([{ healing_type: 'batch_cleanup', held: 4, premature: 1, gone: 0, undone: 0, open: 0, premature_rate: 0.2, late_players: 1 }]);
    expect(result.recommendations).toContain('Worse: batch_cleanup premature rate rose from 20.0% to 50.0% against the previous 24 hours');
    const { stdout } = await run([...DAY, '--compare']);
    expect(stdout).toContain('Verdicts (batch_cleanup): 10 held, 10 premature (50.0%, 55 late players), 1 gone, 2 undone, 2 open; previous window: 20.0% premature');
  });

  it('shows a PREMATURE column in the table for the types with verdicts', async () => {
    const { stdout } = await run(DAY);
    expect(stdout).toMatch(/TYPE +EVENTS +SUCCEEDED +FAILED +SUCCESS +PREMATURE +EVENTS PER HOUR/);
    expect(stdout).toMatch(/batch_cleanup +26 +25 +1 +96\.2% +50\.0% /);
    expect(stdout).toContain('- raising STALL_MINUTES from 15 to 32 would have avoided 9 of 10 premature heals; every heal would wait 17 minutes longer');
  });

  it('leaves verdicts out of a report filtered to another type', async () => {
    const result = await report([...DAY, '--type', 'retry']);
    expect([result.verdicts, result.stall_recommendation]).toEqual([[], null]);
  });
});

describe('a deployment without the heal_verdicts table', () => {
  const older = emulatorEnv(suffix, { HEALING_VERDICT_TABLE: 'heal_verdicts_not_created' });

  it('reports without verdicts, says so in one WARNING line on stderr, and exits 0', async () => {
    const json = await run([...DAY, '--format', 'json'], older);
    expect(json.code).toBe(0);
    expect(json.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^analyze-healing: WARNING: BigQuery table local-healing\.healing_\w+\.heal_verdicts_not_created does not exist/)]);
    const result = JSON.parse(json.stdout) as HealingReport;
    expect(result.totals.events).toBe(26);
    expect([result.verdicts, result.stall_recommendation]).toEqual([[], null]);
    const text = await run(DAY, older);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('PREMATURE');
  });
});
