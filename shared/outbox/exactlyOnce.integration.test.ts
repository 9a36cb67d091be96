import type { BigQuery } from '@google-cloud/bigquery';
import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { createBigQuery } from '../bigQueryClient.js';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createHealingEvent, type HealingEvent } from '../healingEvent.js';
import { HealingEventTable } from '../healingEventTable.js';
import { HealVerdictTable } from '../healVerdictTable.js';
import { createMemoryLogger } from '../logger.js';
import { BigQueryStandIn } from '../../test/support/bigQueryStandIn.js';
import { commonTestConfig, uniqueSuffix } from '../../test/support/emulators.js';
import { foreignEventDocument } from '../../test/support/seedEvents.js';
import { Outbox } from './Outbox.js';
import { readPendingEvent } from './pendingEvent.js';

// Exactly once across an export cut short: whatever a run may have sent is looked up in the table
// before it is sent again. The emulator ignores insert ids, so every repeat would be a second row.

const config = commonTestConfig(uniqueSuffix());
const standIn = new BigQueryStandIn({ target: config.bigqueryEmulatorHost });
let firestore: Firestore;
let bigquery: BigQuery;
let direct: HealingEventTable;
let through: HealingEventTable;

function outbox(collection: string, table: HealingEventTable, reads = new FirestoreReadMeter()): Outbox {
  return new Outbox({
    firestore, collection, table, verdictTable: new HealVerdictTable(table.bigquery, config.dataset, config.verdictTable),
    logger: createMemoryLogger(), reads, run: `run-${uniqueSuffix()}`, claimTtlMs: 60_000,
  });
}

function events(count: number, reason: string): HealingEvent[] {
  return Array.from({ length: count }, (_, i) => createHealingEvent({ healing_type: 'retry', trigger_reason: `${reason} ${i}`, action_taken: 'retried', before_state: {}, after_state: {}, success: true, metadata: { i } }));
}

function fail(reason: string): never {
  throw new Error(reason);
}

async function rowCounts(ids: string[]): Promise<number[]> {
  const [rows] = await bigquery.query({ query: `SELECT healing_id, COUNT(*) AS n FROM ${direct.sqlName} WHERE healing_id IN UNNEST(@ids) GROUP BY healing_id`, params: { ids } });
  const counts = new Map((rows as Array<{ healing_id: string; n: number }>).map((row) => [row.healing_id, Number(row.n)]));
  return ids.map((id) => counts.get(id) ?? 0);
}

beforeAll(async () => {
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  direct = new HealingEventTable(bigquery, config.dataset, config.table);
  await direct.ensureExists();
  through = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: await standIn.start() }), config.dataset, config.table);
});

afterEach(() => {
  standIn.answerDelayMs = 0;
  standIn.cutAfterForward = 0;
  standIn.mode = 'forward';
  standIn.reset();
});

afterAll(async () => {
  await standIn.stop();
  await firestore.terminate();
});

describe('an event whose insert may have been sent', () => {
  it('is looked up before it is sent again: one already in BigQuery is marked exported, one missing goes in, each once', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const sentAt = Timestamp.fromDate(new Date(Date.now() - 20 * 60_000));
    const crashed = { export_sent_at: sentAt, export_claim: { run: 'crashed', expires_at: Timestamp.fromDate(new Date(Date.now() - 1_000)) } };
    await firestore.collection(collection).doc('landed').set(foreignEventDocument(`landed ${uniqueSuffix()}`, crashed));
    await firestore.collection(collection).doc('lost').set(foreignEventDocument(`lost ${uniqueSuffix()}`, crashed));
    const landed = readPendingEvent('landed', (await firestore.collection(collection).doc('landed').get()).data()!);
    await direct.insert([landed.ok ? landed.event : fail(landed.reason)]);

    const report = await outbox(collection, through).export([], AbortSignal.timeout(20_000));

    expect(report).toMatchObject({ exported: 2, pending: 0, stoppedBy: null });
    expect(standIn.insertIds()).toEqual(['lost']);
    expect(await rowCounts(['landed', 'lost'])).toEqual([1, 1]);
    for (const id of ['landed', 'lost']) expect((await firestore.collection(collection).doc(id).get()).get('bigquery_exported')).toBe(true);
  });

  it('stays pending, unclaimed and marked when the run aborts at its deadline after BigQuery took the rows; the next run finds them instead of sending them again', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const own = events(15, `late answer ${uniqueSuffix()}`);
    const first = outbox(collection, through);
    for (const event of own) await first.write(event);
    standIn.answerDelayMs = 5_000;

    const cut = await first.export(own, AbortSignal.timeout(1_500));
    await standIn.idle();
    const doc = (await firestore.collection(collection).doc(own[0]!.healing_id).get()).data()!;

    expect(cut).toMatchObject({ exported: 0, pending: 15, stoppedBy: 'deadline' });
    expect(doc).toMatchObject({ bigquery_exported: false, export_sent_at: expect.any(Timestamp) });
    expect(doc.export_claim).toBeUndefined();
    standIn.answerDelayMs = 0;
    standIn.reset();

    const next = await outbox(collection, through).export([], AbortSignal.timeout(20_000));

    expect(next).toMatchObject({ exported: 15, pending: 0, stoppedBy: null });
    expect(standIn.counts.insertAll).toBe(0);
    expect(await rowCounts(own.map((event) => event.healing_id))).toEqual(own.map(() => 1));
  });

  it('is looked up, not sent twice, when the connection is cut after BigQuery took the insert', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const own = events(10, `cut answer ${uniqueSuffix()}`);
    const run = outbox(collection, through);
    for (const event of own) await run.write(event);
    standIn.cutAfterForward = 1;

    const report = await run.export(own, AbortSignal.timeout(20_000));

    expect(report).toMatchObject({ exported: 10, pending: 0, stoppedBy: null });
    expect(standIn.counts.insertAll).toBe(1);
    expect(await rowCounts(own.map((event) => event.healing_id))).toEqual(own.map(() => 1));
  });
});

describe('reads of an export', () => {
  it("reads none of the run's own events and each other writer's pending event once", async () => {
    const collection = `events_${uniqueSuffix()}`;
    const own = events(30, `own ${uniqueSuffix()}`);
    const reads = new FirestoreReadMeter();
    const run = outbox(collection, direct, reads);
    for (const event of own) await run.write(event);
    const batch = firestore.batch();
    for (let i = 0; i < 20; i += 1) batch.set(firestore.collection(collection).doc(`foreign-${i}`), foreignEventDocument(`foreign ${i}`));
    await batch.commit();

    const report = await run.export(own, AbortSignal.timeout(20_000));

    expect(report).toMatchObject({ exported: 50, pending: 0, stoppedBy: null });
    // 20 foreign events in one page, and one read for the empty page of pending verdicts.
    expect(reads.reads).toBe(20 + 1);
  });

  it('reads nothing of its own events while BigQuery hangs: its claims are released with writes, then the pending rows counted', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const own = events(30, `hanging ${uniqueSuffix()}`);
    const reads = new FirestoreReadMeter();
    const run = outbox(collection, through, reads);
    for (const event of own) await run.write(event);
    standIn.mode = 'hang';

    const report = await run.export(own, AbortSignal.timeout(1_500));

    expect(report).toMatchObject({ exported: 0, pending: 30, stoppedBy: 'deadline' });
    // One count aggregation per stream.
    expect(reads.reads).toBe(2);
    const documents = await firestore.collection(collection).get();
    expect(documents.docs.filter((doc) => doc.get('export_claim') !== undefined)).toHaveLength(0);
    expect(documents.docs.every((doc) => doc.get('export_sent_at') instanceof Timestamp)).toBe(true);
  });
});
