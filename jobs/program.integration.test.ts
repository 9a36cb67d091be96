import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { seedBatches } from '../test/support/batches.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { jsonLines, runProgram } from '../test/support/jobProgram.js';

const summaryOf = (stdout: string) => jsonLines(stdout).find((line) => line.message === 'run summary');
let firestore: Firestore;

/** The BigQuery tables of `env`, made as deploy makes them. */
async function prepareTable(env: Record<string, string>): Promise<void> {
  const config = loadJobConfig(env);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
  await new HealVerdictTable(createBigQuery(config), config.dataset, config.verdictTable).ensureExists();
}

// The program is steered by the env it is given. The Firestore library would let this process's own
// FIRESTORE_EMULATOR_HOST (set by the global setup) win over it, so this file runs without one.
const inherited = process.env.FIRESTORE_EMULATOR_HOST;
const firestoreEmulatorHost = emulatorEnv('').FIRESTORE_EMULATOR_HOST!;
/** Settings for the program on the local stack, with names of one test's own. */
const stackEnv = (extra: Record<string, string> = {}) => emulatorEnv(uniqueSuffix(), { FIRESTORE_EMULATOR_HOST: firestoreEmulatorHost, ...extra });

beforeAll(() => {
  delete process.env.FIRESTORE_EMULATOR_HOST;
  firestore = createFirestore(loadJobConfig(stackEnv()));
});

afterAll(async () => {
  await firestore.terminate();
  if (inherited !== undefined) process.env.FIRESTORE_EMULATOR_HOST = inherited;
});

describe('a scheduled run of the program', () => {
  it('runs end to end with nothing to heal, exits 0 and logs one JSON summary line with the counts', async () => {
    const { code, stdout, stderr } = await runProgram([], stackEnv());
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const summary = summaryOf(stdout);
    expect(summary).toMatchObject({ severity: 'INFO', found: 0, stalled: 0, healed: 0, failed: 0, skipped_malformed: 0, skipped_changed: 0, pending_export: 0 });
    for (const key of ['exported', 'firestore_reads', 'duration_ms']) expect(typeof summary![key]).toBe('number');
  });

  it('heals on the Firestore emulator named in the environment it is given, with none in its own process environment', async () => {
    const env = stackEnv();
    const now = new Date();
    await seedBatches(firestore, env.BATCH_COLLECTION!, [{ id: 'stalled', completed: 19, expected: 20, stalledMinutes: 30 }], now);
    expect(process.env.FIRESTORE_EMULATOR_HOST).toBeUndefined();
    const { code, stdout } = await runProgram([], env, { now: () => now });
    expect(code).toBe(0);
    expect(summaryOf(stdout)).toMatchObject({ healed: 1, healed_ids: ['stalled'] });
    const events = await firestore.collection(env.HEALING_COLLECTION!).get();
    expect(events.docs.map((doc) => doc.get('before_state.stall_minutes'))).toEqual([30]);
  });

  it('told to stop before it began, heals none, logs its summary and exits 1 with one line', async () => {
    const env = stackEnv();
    await seedBatches(firestore, env.BATCH_COLLECTION!, [{ id: 'left', completed: 19, expected: 20, stalledMinutes: 30 }], new Date());
    const { code, stdout, stderr } = await runProgram([], env, { stop: AbortSignal.abort() });
    expect(code).toBe(1);
    expect(summaryOf(stdout)).toMatchObject({ severity: 'ERROR', stopped: true, healed: 0, not_started: 1, exit_code: 1 });
    expect(stderr).toBe('auto-batch-cleanup: stopped by SIGTERM after 0 heal(s); 1 batch(es) left for the next run');
  });

  it('exits 1 with one line naming the Firestore emulator when it does not answer', async () => {
    const { code, stderr } = await runProgram([], stackEnv({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:9' }));
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^auto-batch-cleanup: the Firestore emulator at 127\.0\.0\.1:9 did not answer; check that it is running and reachable \(/);
  }, 120_000);
});

describe('--check', () => {
  it('passes on a prepared stack with one line per check, and writes nothing', async () => {
    const env = stackEnv();
    await prepareTable(env);
    const { code, stdout } = await runProgram(['--check'], env);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('ok '))).toHaveLength(21);
    expect(lines.at(-1)).toBe('all 21 checks passed');
    const queries = ['candidate batches query', 'active exclusions query', 'heals of an execution query', 'undone verdicts count', 'heals awaiting a verdict query', 'earlier heals query'];
    for (const query of queries) expect(lines.some((line) => line.includes(query))).toBe(true);
    const written = await Promise.all(
      [env.BATCH_COLLECTION!, env.HEALING_COLLECTION!, `${env.HEALING_COLLECTION}_alert_state`, `${env.HEALING_COLLECTION}_control`].map((name) => firestore.collection(name).limit(1).get()),
    );
    expect(written.map((snapshot) => snapshot.size)).toEqual([0, 0, 0, 0]);
  });

  it('fails with exit 1 naming each BigQuery table that is missing', async () => {
    const env = stackEnv();
    const { code, stdout } = await runProgram(['--check'], env);
    expect(code).toBe(1);
    const failed = stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toContain(`${env.HEALING_DATASET}.${env.HEALING_TABLE}`);
    expect(failed[1]).toContain(`${env.HEALING_DATASET}.heal_verdicts`);
    expect(failed.every((line) => line.includes('does not exist'))).toBe(true);
  });
});
