import { runJob as runJobInProcess } from '../test/support/runJob.js';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { type BatchSpec, seedBatches } from '../test/support/batches.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { jobTestConfig, uniqueSuffix } from '../test/support/emulators.js';

// What a run reads, as Firestore bills it: the candidates, one transactional re-read per heal, and a
// few reads for everything else. Its own events are exported from memory, never read back; claims
// and marks are written with preconditions, not read first; also when BigQuery hangs.

const CANDIDATES = 1_000;
const STALLED = 200;
/** Reads for the other queries: pending events and verdicts, the alert check, the closing counts. */
const OTHER_READS = 20;
const fileSuffix = uniqueSuffix();
const standIn = new BigQueryStandIn({ mode: 'hang' });
let firestore: Firestore;

function freshConfig(): JobConfig {
  const own = uniqueSuffix();
  return jobTestConfig(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, MAX_HEALS_PER_RUN: String(STALLED), EXPORT_DEADLINE_SECONDS: '3' });
}

async function seedCandidates(config: JobConfig): Promise<void> {
  const specs: BatchSpec[] = Array.from({ length: CANDIDATES }, (_, i) => ({
    id: `b-${String(i).padStart(4, '0')}`,
    completed: i < STALLED ? 19 : 10,
    expected: 20,
    stalledMinutes: i < STALLED ? 30 : 2,
  }));
  await seedBatches(firestore, config.batchCollection, specs, new Date());
}

async function run(config: JobConfig, bigqueryUrl: string) {
  return (await runJobInProcess(config, { bigqueryUrl, logLevel: 'info' })).summary;
}

beforeAll(async () => {
  await standIn.start();
  const config = jobTestConfig(fileSuffix);
  firestore = createFirestore(config);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await standIn.stop();
  await firestore.terminate();
});

describe(`Firestore reads of a run over ${CANDIDATES} candidates with ${STALLED} stalled`, () => {
  it(`stay at most ${CANDIDATES} + ${STALLED} + ${OTHER_READS} with BigQuery healthy`, async () => {
    const config = freshConfig();
    await seedCandidates(config);

    const summary = await run(config, config.bigqueryEmulatorHost!);

    process.stdout.write(`firestore_reads with BigQuery healthy: ${summary.firestore_reads}\n`);
    expect(summary).toMatchObject({ found: CANDIDATES, healed: STALLED, exported: STALLED, pending_export: 0 });
    expect(summary.firestore_reads).toBeLessThanOrEqual(CANDIDATES + STALLED + OTHER_READS);
  }, 120_000);

  it(`stay at most ${CANDIDATES} + ${STALLED} + ${OTHER_READS} with BigQuery hanging past the export deadline`, async () => {
    const config = freshConfig();
    await seedCandidates(config);

    const summary = await run(config, standIn.url);

    process.stdout.write(`firestore_reads with BigQuery hanging: ${summary.firestore_reads}\n`);
    expect(summary).toMatchObject({ found: CANDIDATES, healed: STALLED, exported: 0, pending_export: STALLED });
    expect(summary.firestore_reads).toBeLessThanOrEqual(CANDIDATES + STALLED + OTHER_READS);
  }, 120_000);
});
