import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../bigQueryClient.js';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { HealingEventTable } from '../healingEventTable.js';
import { HealVerdictTable } from '../healVerdictTable.js';
import { createMemoryLogger } from '../logger.js';
import { BIGQUERY_INSERT_LIMIT_BYTES, BigQueryStandIn } from '../../test/support/bigQueryStandIn.js';
import { commonTestConfig, uniqueSuffix } from '../../test/support/emulators.js';
import { foreignEventDocument } from '../../test/support/seedEvents.js';
import { Outbox } from './Outbox.js';

// Inserts stay under BigQuery's request limit whatever the documents hold: a request refused as too
// large is split, a single row refused as too large is set aside, bytes go as base64 text.

const config = commonTestConfig(uniqueSuffix());
const standIn = new BigQueryStandIn({ target: config.bigqueryEmulatorHost });
let firestore: Firestore;
let bigquery: BigQuery;
let through: HealingEventTable;

function outbox(collection: string): Outbox {
  return new Outbox({
    firestore, collection, table: through, verdictTable: new HealVerdictTable(through.bigquery, config.dataset, config.verdictTable),
    logger: createMemoryLogger(), reads: new FirestoreReadMeter(), run: `run-${uniqueSuffix()}`, claimTtlMs: 60_000,
  });
}

async function seed(collection: string, documents: Record<string, Record<string, unknown>>): Promise<void> {
  for (const [id, data] of Object.entries(documents)) await firestore.collection(collection).doc(id).set(data);
}

async function rowsOf(ids: string[]): Promise<Map<string, { n: number; blob: string | null }>> {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, COUNT(*) AS n, ANY_VALUE(JSON_VALUE(before_state, '$.blob')) AS blob FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE healing_id IN UNNEST(@ids) GROUP BY healing_id`,
    params: { ids },
  });
  return new Map((rows as Array<{ healing_id: string; n: number; blob: string | null }>).map((row) => [row.healing_id, { n: Number(row.n), blob: row.blob }]));
}

const padded = (reason: string, bytes: number) => foreignEventDocument(reason, { before_state: { padding: 'x'.repeat(bytes) } });

beforeAll(async () => {
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  through = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: await standIn.start() }), config.dataset, config.table);
});

afterEach(() => {
  standIn.maxInsertBytes = BIGQUERY_INSERT_LIMIT_BYTES;
  standIn.reset();
});

afterAll(async () => {
  await standIn.stop();
  await firestore.terminate();
});

describe('an insert request refused as too large', () => {
  it('is split in halves, and the halves go in, each row once', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const ids = ['big-1', 'big-2', 'big-3', 'big-4', 'big-5', 'big-6'];
    await seed(collection, Object.fromEntries(ids.map((id) => [id, padded(`split ${id}`, 700_000)])));
    standIn.maxInsertBytes = 2_500_000;

    const report = await outbox(collection).export([], AbortSignal.timeout(30_000));

    expect(report).toMatchObject({ exported: 6, setAside: 0, pending: 0, stoppedBy: null });
    expect(standIn.inserts.map((insert) => [insert.insertIds, insert.tooLarge ?? false])).toEqual([
      [ids, true],
      [ids.slice(0, 3), false],
      [ids.slice(3), false],
    ]);
    const rows = await rowsOf(ids);
    expect(ids.map((id) => rows.get(id)?.n)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('sets aside the one row refused on its own as too large, with the reason, while the others go in', async () => {
    const collection = `events_${uniqueSuffix()}`;
    await seed(collection, { 'a-small': padded('small a', 10), 'b-huge': padded('huge', 900_000), 'c-small': padded('small c', 10) });
    standIn.maxInsertBytes = 500_000;

    const report = await outbox(collection).export([], AbortSignal.timeout(30_000));
    const again = await outbox(collection).export([], AbortSignal.timeout(30_000));

    expect(report).toMatchObject({ exported: 2, setAside: 1, pending: 0, stoppedBy: null });
    expect(again).toMatchObject({ exported: 0, setAside: 0, pending: 0 });
    const huge = (await firestore.collection(collection).doc('b-huge').get()).data()!;
    expect(huge.bigquery_exported).toBeUndefined();
    expect(huge.export_error).toMatch(/^refused by BigQuery as too large: .*Request payload size exceeds the limit: 500000 bytes/);
    const rows = await rowsOf(['a-small', 'b-huge', 'c-small']);
    expect([rows.get('a-small')?.n, rows.get('b-huge')?.n, rows.get('c-small')?.n]).toEqual([1, undefined, 1]);
  });
});

describe('Firestore bytes values', () => {
  it('go to BigQuery as base64 text: a 1 MiB-document bytes value is one request under the limit, not 12 MB of JSON', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const blob = Buffer.alloc(1_000_000, 0xa7);
    await seed(collection, { 'with-bytes': foreignEventDocument('bytes', { before_state: { blob } }) });

    const report = await outbox(collection).export([], AbortSignal.timeout(30_000));

    expect(report).toMatchObject({ exported: 1, setAside: 0 });
    expect(standIn.inserts).toEqual([expect.objectContaining({ insertIds: ['with-bytes'], bytes: expect.any(Number) })]);
    expect(standIn.inserts[0]!.bytes).toBeLessThan(1_500_000);
    const row = (await rowsOf(['with-bytes'])).get('with-bytes');
    expect(Buffer.from(row!.blob!, 'base64').equals(blob)).toBe(true);
  });
});
