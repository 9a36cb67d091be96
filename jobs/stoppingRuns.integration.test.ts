import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { seedBatches } from '../test/support/batches.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { JobProcess, runJob } from '../test/support/jobProcess.js';
import { TcpProxy } from '../test/support/tcpProxy.js';

const suffix = uniqueSuffix();
const baseEnv = emulatorEnv(suffix);
const config = loadJobConfig(baseEnv);
let firestore: Firestore;
let bigquery: BigQuery;

function envFor(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...baseEnv, BATCH_COLLECTION: `batches_${name}_${suffix}`, HEALING_COLLECTION: `events_${name}_${suffix}`, MAX_HEALS_PER_RUN: '1000', ...extra };
}

async function seed(env: Record<string, string>, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `b-${String(i).padStart(4, '0')}`);
  await seedBatches(firestore, env.BATCH_COLLECTION!, ids.map((id) => ({ id, completed: 19, expected: 20, stalledMinutes: 30 })), new Date());
  return ids;
}

/** Every completed batch has its event and every event its completed batch: nothing half healed. */
async function consistency(env: Record<string, string>) {
  const batches = await firestore.collection(env.BATCH_COLLECTION!).get();
  const events = await firestore.collection(env.HEALING_COLLECTION!).get();
  const healed = new Map(batches.docs.filter((doc) => doc.get('is_complete') === true).map((doc) => [doc.id, String(doc.get('healing_id'))]));
  const recorded = new Map(events.docs.filter((doc) => doc.get('success') === true).map((doc) => [String(doc.get('metadata.batch_id')), doc.id]));
  return { healed, recorded, open: batches.size - healed.size };
}

async function rowsIn(env: Record<string, string>): Promise<number> {
  const [rows] = await bigquery.query({
    query: `SELECT COUNT(*) AS n FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE JSON_VALUE(metadata, '$.batch_collection') = @collection`,
    params: { collection: env.BATCH_COLLECTION! },
  });
  return Number((rows as Array<{ n: number }>)[0]!.n);
}

const summaryOf = (lines: unknown[]) => lines.find((line) => typeof line === 'object' && line !== null && (line as { message?: string }).message === 'run summary') as Record<string, unknown> | undefined;

beforeAll(async () => {
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('a run told to stop', () => {
  it('on SIGTERM starts no new heal, exports what it healed, logs its summary and exits 1; the next run heals the rest', async () => {
    const env = envFor('sigterm');
    const ids = await seed(env, 400);
    const job = await JobProcess.start({ env });
    await job.waitForLine((line) => String(line.message).startsWith('healed batch'));
    job.kill('SIGTERM');
    const stopped = await job.result();

    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(1);
    const summary = summaryOf(stopped.lines);
    expect(summary).toMatchObject({ severity: 'ERROR', stopped: true, exit_code: 1, failed: 0 });
    expect(Number(summary!.not_started)).toBeGreaterThan(0);
    expect(stopped.stderr.trim().split('\n')).toHaveLength(1);
    expect(stopped.stderr).toContain('stopped by SIGTERM');
    const after = await consistency(env);
    expect(after.healed.size).toBe(summary!.healed);
    expect([...after.healed.keys()].sort()).toEqual([...after.recorded.keys()].sort());
    expect(await rowsIn(env)).toBe(summary!.exported);
    expect(summary!.exported).toBe(summary!.healed);

    const next = await runJob({ env });
    expect(next.code).toBe(0);
    expect(summaryOf(next.lines)).toMatchObject({ healed: ids.length - after.healed.size, exported: ids.length - after.healed.size });
    expect((await consistency(env)).open).toBe(0);
    expect(await rowsIn(env)).toBe(ids.length);
  }, 180_000);
});

describe('a run whose Firestore goes away', () => {
  it('logs its summary, exits 1 with one line, and leaves no batch healed without its event; the next run records no failed heal for a lock the cut left', async () => {
    const proxy = new TcpProxy(baseEnv.FIRESTORE_EMULATOR_HOST!);
    const env = envFor('cut', { FIRESTORE_EMULATOR_HOST: await proxy.start() });
    await seed(env, 300);
    const job = await JobProcess.start({ env, timeoutMs: 170_000 });
    await job.waitForLine((line) => String(line.message).startsWith('healed batch'));
    await proxy.cut({ mode: 'refuse' });
    const result = await job.result();
    await proxy.stop();

    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(summaryOf(result.lines)).toMatchObject({ severity: 'ERROR', exit_code: 1 });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const after = await consistency(env);
    expect(after.healed.size).toBeGreaterThan(0);
    expect([...after.healed.keys()].sort()).toEqual([...after.recorded.keys()].sort());
    for (const [batchId, healingId] of after.healed) expect(after.recorded.get(batchId)).toBe(healingId);

    // The cut client's transactions may still hold their batches: the next run skips those, and no heal of it fails.
    const next = await runJob({ env: { ...env, FIRESTORE_EMULATOR_HOST: baseEnv.FIRESTORE_EMULATOR_HOST! }, timeoutMs: 170_000 });
    expect(next.code).toBe(0);
    expect(summaryOf(next.lines)).toMatchObject({ failed: 0, exit_code: 0 });
    const failedEvents = (await firestore.collection(env.HEALING_COLLECTION!).where('success', '==', false).get()).docs.map((doc) => String(doc.get('metadata.error')));
    expect(failedEvents.filter((error) => /ABORTED|lock timeout/i.test(error))).toEqual([]);
    const last = await consistency(env);
    expect([...last.healed.keys()].sort()).toEqual([...last.recorded.keys()].sort());
  }, 360_000);
});

describe('a run that braked', () => {
  it('exits 1 with one line naming the count and MAX_HEALS_PER_RUN', async () => {
    const env = envFor('brake', { MAX_HEALS_PER_RUN: '2' });
    await seed(env, 3);
    const result = await runJob({ env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('auto-batch-cleanup: safety brake: 3 stalled batches exceed MAX_HEALS_PER_RUN (2); healed none');
    expect(summaryOf(result.lines)).toMatchObject({ safety_brake: true, healed: 0, exit_code: 1 });
  });
});
