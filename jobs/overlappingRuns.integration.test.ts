import { runJob as runJobInProcess } from '../test/support/runJob.js';
import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { seedBatches } from '../test/support/batches.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { jobTestConfig, uniqueSuffix } from '../test/support/emulators.js';

const BATCHES = 500;
const RUNS = 4;
const STAGGER_MS = 1_500;
const suffix = uniqueSuffix();
const standIn = new BigQueryStandIn({ insertDelayMs: 2_000 });
let firestore: Firestore;
let bigquery: BigQuery;

/** One run with its own Firestore client, like a separate execution, its inserts held by the stand-in. */
async function run(config: JobConfig) {
  return (await runJobInProcess(config, { bigqueryUrl: standIn.url, logLevel: 'info' })).summary;
}

beforeAll(async () => {
  await standIn.start();
  const config = jobTestConfig(suffix);
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await standIn.stop();
  await firestore.terminate();
});

it(`puts each heal in BigQuery exactly once when ${RUNS} runs over ${BATCHES} stalled batches start ${STAGGER_MS / 1000} s apart`, async () => {
  const config = jobTestConfig(suffix, { BATCH_COLLECTION: `batches_${suffix}`, HEALING_COLLECTION: `events_${suffix}`, MAX_HEALS_PER_RUN: String(BATCHES + 100), EXPORT_DEADLINE_SECONDS: '60' });
  const specs = Array.from({ length: BATCHES }, (_, i) => ({ id: `b-${String(i).padStart(4, '0')}`, completed: 19, expected: 20, stalledMinutes: 30 }));
  await seedBatches(firestore, config.batchCollection, specs, new Date());

  const runs = Array.from({ length: RUNS }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * STAGGER_MS)).then(() => run(config)));
  const summaries = await Promise.all(runs);
  const last = await run(config);

  const heals = summaries.reduce((total, summary) => total + summary.healed, 0);
  const exported = summaries.reduce((total, summary) => total + summary.exported, 0);
  const [result] = await bigquery.query({
    query: `SELECT COUNT(*) AS row_count, COUNT(DISTINCT healing_id) AS id_count FROM \`${config.projectId}.${config.dataset}.${config.table}\`
            WHERE JSON_VALUE(metadata, '$.batch_collection') = @collection`,
    params: { collection: config.batchCollection },
  });
  const { row_count: rows, id_count: ids } = (result as Array<{ row_count: number; id_count: number }>)[0]!;
  expect(heals).toBe(BATCHES);
  expect(exported + last.exported).toBe(BATCHES);
  expect(Number(ids)).toBe(BATCHES);
  expect(Number(rows)).toBe(BATCHES);
  expect(last).toMatchObject({ healed: 0, pending_export: 0 });
}, 240_000);
