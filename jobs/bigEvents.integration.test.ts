import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import { fileURLToPath } from 'node:url';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { BIGQUERY_INSERT_LIMIT_BYTES, BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { runJob } from '../test/support/jobProcess.js';
import { foreignEventDocument } from '../test/support/seedEvents.js';

// Pending events as large as Firestore allows, written by other services: the job's inserts stay
// under BigQuery's 10 MB request limit (the stand-in refuses more, as BigQuery does), and the job's
// memory stays flat because it reads and sends a bounded amount at a time.

const PEAK_MEMORY_LIMIT_MB = 300;
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix, { HEALING_COLLECTION: `events_big_${suffix}`, EXPORT_DEADLINE_SECONDS: '90' });
const config = loadJobConfig(env);
const standIn = new BigQueryStandIn({ target: config.bigqueryEmulatorHost });
const preload = fileURLToPath(new URL('../scripts/reportPeakMemory.js', import.meta.url));
let firestore: Firestore;
let bigquery: BigQuery;

beforeAll(async () => {
  await standIn.start();
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await standIn.stop();
  await firestore.terminate();
});

it(`exports 12 events of 900 KB, one holding a 1 MB bytes value and 20 ordinary ones in one run, under ${PEAK_MEMORY_LIMIT_MB} MB`, async () => {
  const documents: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < 12; i += 1) documents[`big-${String(i).padStart(2, '0')}`] = foreignEventDocument(`big ${i}`, { before_state: { log: 'x'.repeat(900_000) } });
  documents['bytes-1'] = foreignEventDocument('bytes', { before_state: { blob: Buffer.alloc(1_000_000, 0x5a) } });
  for (let i = 0; i < 20; i += 1) documents[`ordinary-${String(i).padStart(2, '0')}`] = foreignEventDocument(`ordinary ${i}`);
  for (const [id, data] of Object.entries(documents)) await firestore.collection(config.healingCollection).doc(id).set(data);

  const result = await runJob({ env: { ...env, BIGQUERY_EMULATOR_HOST: standIn.url }, nodeArgs: ['--import', preload], timeoutMs: 170_000 });

  const peak = Number(/peak_rss_mb=([\d.]+)/.exec(result.stderr)?.[1]);
  process.stdout.write(`peak memory of the job exporting 33 events (13 of about 1 MB): ${peak} MB; insert requests: ${standIn.inserts.map((insert) => `${(insert.bytes / 1e6).toFixed(1)} MB`).join(', ')}\n`);
  expect(result.code).toBe(0);
  const summary = result.lines.find((line) => typeof line === 'object' && line.message === 'run summary');
  expect(summary).toMatchObject({ exported: 33, set_aside: 0, pending_export: 0 });
  expect(standIn.inserts.filter((insert) => insert.tooLarge)).toEqual([]);
  expect(Math.max(...standIn.inserts.map((insert) => insert.bytes))).toBeLessThanOrEqual(BIGQUERY_INSERT_LIMIT_BYTES);
  const [rows] = await bigquery.query({
    query: `SELECT COUNT(*) AS n, COUNT(DISTINCT healing_id) AS ids FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE healing_id IN UNNEST(@ids)`,
    params: { ids: Object.keys(documents) },
  });
  expect(rows[0]).toEqual({ n: 33, ids: 33 });
  expect(peak).toBeLessThan(PEAK_MEMORY_LIMIT_MB);
}, 180_000);
