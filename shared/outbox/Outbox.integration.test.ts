import type { BigQuery } from '@google-cloud/bigquery';
import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { createBigQuery } from '../bigQueryClient.js';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createHealingEvent } from '../healingEvent.js';
import { HealingEventTable } from '../healingEventTable.js';
import { HealVerdictTable } from '../healVerdictTable.js';
import { createMemoryLogger } from '../logger.js';
import { BigQueryStandIn } from '../../test/support/bigQueryStandIn.js';
import { commonTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../../test/support/emulators.js';
import { foreignEventDocument } from '../../test/support/seedEvents.js';
import { toFirestoreDocument } from './eventDocument.js';
import { Outbox } from './Outbox.js';

const config = commonTestConfig(uniqueSuffix());
const logger = createMemoryLogger();
let firestore: Firestore;
let bigquery: BigQuery;
let table: HealingEventTable;
const deadline = () => AbortSignal.timeout(20_000);

function outbox(collection: string, options: { run?: string; table?: HealingEventTable } = {}): Outbox {
  const events = options.table ?? table;
  const verdictTable = new HealVerdictTable(events.bigquery, config.dataset, config.verdictTable);
  return new Outbox({ firestore, collection, table: events, verdictTable, logger, reads: new FirestoreReadMeter(), run: options.run ?? `run-${uniqueSuffix()}`, claimTtlMs: 60_000 });
}

async function rowsWithReason(reason: string) {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, timestamp, JSON_VALUE(before_state, '$.age_s') AS age, JSON_VALUE(metadata, '$.service') AS service
            FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE trigger_reason = @reason`,
    params: { reason },
  });
  return rows as Array<{ healing_id: string; timestamp: { value: string }; age: string; service: string }>;
}

beforeAll(async () => {
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  table = new HealingEventTable(bigquery, config.dataset, config.table);
  await table.ensureExists();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('the outbox of pending healing events', () => {
  it("exports another service's document once, reading ISO times, JSON text and the document id", async () => {
    const collection = `events_${uniqueSuffix()}`;
    const reason = `Odds cache stale ${uniqueSuffix()}`;
    await firestore.collection(collection).doc('py-1').set(foreignEventDocument(reason));

    const first = await outbox(collection).export([], deadline());
    const second = await outbox(collection).export([], deadline());

    expect(first).toMatchObject({ exported: 1, pending: 0, setAside: 0, stoppedBy: null });
    expect([...first.types]).toEqual(['cache_refresh']);
    expect(second).toMatchObject({ exported: 0, pending: 0 });
    const rows = await rowsWithReason(reason);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ healing_id: 'py-1', age: '900', service: 'odds-api' });
    expect(new Date(rows[0]!.timestamp.value).toISOString()).toBe('2026-11-23T09:15:00.000Z');
    const doc = await firestore.collection(collection).doc('py-1').get();
    expect(doc.get('bigquery_exported')).toBe(true);
    expect(doc.get('export_claim')).toBeUndefined();
  });

  it.each([
    ['a timestamp that does not parse', { timestamp: 'yesterday at noon' }, 'timestamp'],
    ['a timestamp without a zone', { timestamp: '2026-11-23T10:15:00' }, 'timestamp'],
    ['a missing trigger reason', { trigger_reason: undefined }, 'trigger_reason'],
    ['a success that is a string', { success: 'true' }, 'success'],
    ['state that is not JSON', { before_state: '{not json' }, 'before_state'],
    ['metadata that is an array', { metadata: [1, 2] }, 'metadata'],
  ])('sets aside a document with %s, with its reason, and still exports the good one behind it', async (_name, change, field) => {
    const collection = `events_${uniqueSuffix()}`;
    const reason = `Good event ${uniqueSuffix()}`;
    const bad: Record<string, unknown> = { ...foreignEventDocument('bad'), ...change };
    for (const [key, value] of Object.entries(bad)) if (value === undefined) delete bad[key];
    await firestore.collection(collection).doc('a-bad').set(bad);
    await firestore.collection(collection).doc('b-good').set(foreignEventDocument(reason));

    const first = await outbox(collection).export([], deadline());
    const second = await outbox(collection).export([], deadline());

    expect(first).toMatchObject({ exported: 1, setAside: 1, pending: 0 });
    expect(second).toMatchObject({ exported: 0, setAside: 0, pending: 0 });
    const doc = (await firestore.collection(collection).doc('a-bad').get()).data()!;
    expect(doc.bigquery_exported).toBeUndefined();
    expect(doc.export_error).toContain(field);
    expect(doc.export_set_aside_at).toBeInstanceOf(Timestamp);
    expect(logger.lines.some((line) => line.healing_id === 'a-bad' && line.severity === 'WARNING' && String(line.reason).includes(field))).toBe(true);
    expect(await rowsWithReason(reason)).toHaveLength(1);
  });

  it("leaves an event claimed by another live run alone, and takes over one whose claim expired", async () => {
    const collection = `events_${uniqueSuffix()}`;
    const live = createHealingEvent({ healing_type: 'retry', trigger_reason: `live ${uniqueSuffix()}`, action_taken: 'retried', before_state: {}, after_state: {}, success: true, metadata: {} });
    const expired = createHealingEvent({ healing_type: 'retry', trigger_reason: `expired ${uniqueSuffix()}`, action_taken: 'retried', before_state: {}, after_state: {}, success: true, metadata: {} });
    await firestore.collection(collection).doc(live.healing_id).create(toFirestoreDocument(live, { run: 'other', expiresAt: new Date(Date.now() + 600_000) }));
    await firestore.collection(collection).doc(expired.healing_id).create(toFirestoreDocument(expired, { run: 'crashed', expiresAt: new Date(Date.now() - 1_000) }));

    const report = await outbox(collection).export([], deadline());

    expect(report).toMatchObject({ exported: 1, pending: 1 });
    expect(await rowsWithReason(live.trigger_reason)).toHaveLength(0);
    expect(await rowsWithReason(expired.trigger_reason)).toHaveLength(1);
  });

  it('releases its claims when BigQuery cannot be reached, so the next run exports at once', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const reason = `unreachable ${uniqueSuffix()}`;
    await firestore.collection(collection).doc('later').set(foreignEventDocument(reason));
    const unreachable = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: UNREACHABLE_URL }), config.dataset, config.table);

    const down = await outbox(collection, { table: unreachable }).export([], deadline());

    expect(down).toMatchObject({ exported: 0, pending: 1, stoppedBy: 'bigquery' });
    const doc = await firestore.collection(collection).doc('later').get();
    expect(doc.get('bigquery_exported')).toBe(false);
    expect(doc.get('export_claim')).toBeUndefined();
    expect(await outbox(collection).export([], deadline())).toMatchObject({ exported: 1, pending: 0 });
    expect(await rowsWithReason(reason)).toHaveLength(1);
  });

  it('stops at its deadline with nothing half done: the events stay pending and unclaimed', async () => {
    const collection = `events_${uniqueSuffix()}`;
    await firestore.collection(collection).doc('late').set(foreignEventDocument(`late ${uniqueSuffix()}`));
    const report = await outbox(collection).export([], AbortSignal.abort());
    expect(report).toMatchObject({ exported: 0, pending: 1, stoppedBy: 'deadline' });
    expect((await firestore.collection(collection).doc('late').get()).get('export_claim')).toBeUndefined();
  });
});

describe('a row BigQuery refuses for good', () => {
  it('is released twice, then set aside on the third refusal with the reason, while the other rows go in', async () => {
    const standIn = new BigQueryStandIn({ target: config.bigqueryEmulatorHost });
    const collection = `events_${uniqueSuffix()}`;
    const goodReason = `accepted ${uniqueSuffix()}`;
    await firestore.collection(collection).doc('refused-row').set(foreignEventDocument(`refused ${uniqueSuffix()}`));
    await firestore.collection(collection).doc('good-row').set(foreignEventDocument(goodReason));
    const through = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: await standIn.start() }), config.dataset, config.table);
    standIn.refuseInsertIds.add('refused-row');
    try {
      const reports = [];
      for (let attempt = 0; attempt < 3; attempt += 1) reports.push(await outbox(collection, { table: through }).export([], deadline()));

      expect(reports.map((report) => [report.exported, report.setAside, report.pending])).toEqual([[1, 0, 1], [0, 0, 1], [0, 1, 0]]);
      const doc = (await firestore.collection(collection).doc('refused-row').get()).data()!;
      expect(doc.bigquery_exported).toBeUndefined();
      expect(doc.export_error).toMatch(/refused by BigQuery 3 times: invalid: no such field/);
      expect(await outbox(collection, { table: through }).export([], deadline())).toMatchObject({ exported: 0, setAside: 0, pending: 0 });
      expect(standIn.insertIds().filter((id) => id === 'refused-row')).toHaveLength(3);
      expect(await rowsWithReason(goodReason)).toHaveLength(1);
    } finally {
      await standIn.stop();
    }
  });
});
