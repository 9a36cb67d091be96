import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { batchCleanupHealingId } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { readBatch, seedBatches } from '../test/support/batches.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { jsonLines, runProgram } from '../test/support/jobProgram.js';

const fileSuffix = uniqueSuffix();
let firestore: Firestore;

/** Settings for one test: collections of its own, this file's BigQuery dataset. */
function testEnv(): Record<string, string> {
  const own = uniqueSuffix();
  return emulatorEnv(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}` });
}

async function events(env: Record<string, string>) {
  return (await firestore.collection(env.HEALING_COLLECTION!).get()).docs.map((doc) => ({ id: doc.id, data: doc.data() }));
}

/** A transaction of another writer that has read the batch and holds it until `release` is called. */
async function holdBatch(path: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reading!: () => void;
  const read = new Promise<void>((resolve) => (reading = resolve));
  const transaction = firestore.runTransaction(async (t) => {
    await t.get(firestore.doc(path));
    reading();
    await held;
  }, { maxAttempts: 1 });
  await read;
  return {
    release: async () => {
      release();
      await transaction;
    },
  };
}

beforeAll(async () => {
  const config = loadJobConfig(emulatorEnv(fileSuffix));
  firestore = createFirestore(config);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('a batch another transaction holds', () => {
  it('is skipped with skipped_locked 1, no event and a WARNING, the run exits 0 saying so, and the next run heals it', async () => {
    const env = testEnv();
    await seedBatches(firestore, env.BATCH_COLLECTION!, [{ id: 'held', completed: 19, expected: 20, stalledMinutes: 30 }], new Date());
    const lock = await holdBatch(`${env.BATCH_COLLECTION}/held`);

    let skipped;
    try {
      skipped = await runProgram([], env);
    } finally {
      await lock.release();
    }

    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe('auto-batch-cleanup: healed none: all 1 stalled batch(es) were held by other transactions (lock timeout or contention); the next run takes them');
    const lines = jsonLines(skipped.stdout);
    expect(lines.find((line) => line.message === 'run summary')).toMatchObject({ severity: 'INFO', skipped_locked: 1, healed: 0, failed: 0, skipped_changed: 0, exit_code: 0 });
    expect(lines.some((line) => line.severity === 'WARNING' && line.batch_id === 'held' && String(line.message).startsWith('skipped batch held'))).toBe(true);
    expect(await events(env)).toEqual([]);
    expect((await readBatch(firestore, env.BATCH_COLLECTION!, 'held')).is_complete).toBe(false);

    const next = await runProgram([], env);

    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    expect(jsonLines(next.stdout).find((line) => line.message === 'run summary')).toMatchObject({ healed: 1, skipped_locked: 0, healed_ids: ['held'] });
    const batch = await readBatch(firestore, env.BATCH_COLLECTION!, 'held');
    expect(batch.is_complete).toBe(true);
    expect((await events(env)).map((event) => event.id)).toEqual([batch.healing_id]);
  }, 90_000);
});

describe("a document already at a heal's event id", () => {
  it('is not taken for a heal: the batch is healed under that id with a suffix, and a WARNING names both ids', async () => {
    const env = testEnv();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await seedBatches(firestore, env.BATCH_COLLECTION!, [{ id: 'squatted', completed: 19, expected: 20, stalledMinutes: 30 }], now);
    const takenId = batchCleanupHealingId('squatted', new Date(now.getTime() - 30 * 60_000));
    const foreign = { written_by: 'another tool', note: 'not a heal' };
    await firestore.collection(env.HEALING_COLLECTION!).doc(takenId).create(foreign);

    const run = await runProgram([], env, { now: () => now });

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = jsonLines(run.stdout);
    expect(lines.find((line) => line.message === 'run summary')).toMatchObject({ healed: 1, skipped_changed: 0, failed: 0, healed_ids: ['squatted'] });
    const batch = await readBatch(firestore, env.BATCH_COLLECTION!, 'squatted');
    expect(batch.is_complete).toBe(true);
    expect(String(batch.healing_id)).toMatch(new RegExp(`^${takenId}-[0-9a-f]{8}$`));
    const recorded = await events(env);
    expect(recorded.find((event) => event.id === takenId)?.data).toEqual(foreign);
    expect(recorded.find((event) => event.id === batch.healing_id)?.data).toMatchObject({ healing_id: batch.healing_id, success: true, metadata: { batch_id: 'squatted' } });
    const warning = lines.find((line) => line.severity === 'WARNING' && line.batch_id === 'squatted');
    expect(warning).toMatchObject({ squatted_healing_id: takenId, healing_id: batch.healing_id });
  });
});
