import type { BigQuery } from '@google-cloud/bigquery';
import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { createBigQuery } from '../bigQueryClient.js';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createHealingEvent } from '../healingEvent.js';
import { HealingEventTable } from '../healingEventTable.js';
import { HealVerdictTable } from '../healVerdictTable.js';
import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, uniqueSuffix } from '../../test/support/emulators.js';
import { toFirestoreDocument } from './eventDocument.js';
import { Outbox } from './Outbox.js';
import { type HealVerdict, pendingVerdictFields, verdictInsertId } from './verdictDocument.js';
import { verdictStream } from './verdictStream.js';

// Verdicts are exported under the same outbox rules as events, from the event documents they sit on.

const config = commonTestConfig(uniqueSuffix());
let firestore: Firestore;
let bigquery: BigQuery;
let events: HealingEventTable;
let verdicts: HealVerdictTable;
const healedAt = new Date('2026-11-23T10:00:00Z');

function outbox(collection: string, logger = createMemoryLogger()): Outbox {
  return new Outbox({ firestore, collection, table: events, verdictTable: verdicts, logger, reads: new FirestoreReadMeter(), run: `run-${uniqueSuffix()}`, claimTtlMs: 60_000 });
}

/** A batch heal already in BigQuery, as the job recorded it. */
async function exportedHeal(collection: string, id: string): Promise<void> {
  const event = createHealingEvent({ healing_id: id, timestamp: healedAt, healing_type: 'batch_cleanup', trigger_reason: `Batch ${id} stalled`, action_taken: 'completed', before_state: {}, after_state: {}, success: true, metadata: {} });
  await firestore.collection(collection).doc(id).create({ ...toFirestoreDocument(event), bigquery_exported: true });
}

function verdict(kind: HealVerdict['verdict'], checkedAt: string, extra: Partial<HealVerdict> = {}): HealVerdict {
  return { verdict: kind, checked_at: new Date(checkedAt), healed_at: healedAt, stall_minutes: 17.5, late_players: null, progress_after_minutes: null, ...extra };
}

async function give(collection: string, id: string, given: HealVerdict): Promise<void> {
  await firestore.collection(collection).doc(id).update(pendingVerdictFields(given));
}

async function verdictRows(ids: string[]) {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, healing_type, verdict, checked_at, healed_at, stall_minutes, late_players, progress_after_minutes, actor, reason FROM ${verdicts.sqlName} WHERE healing_id IN UNNEST(@ids) ORDER BY healing_id, checked_at`,
    params: { ids },
  });
  return (rows as Array<Record<string, unknown>>).map((row): Record<string, unknown> => ({ ...row, checked_at: (row.checked_at as { value: string }).value, healed_at: (row.healed_at as { value: string } | null)?.value ?? null }));
}

beforeAll(async () => {
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  events = new HealingEventTable(bigquery, config.dataset, config.table);
  verdicts = new HealVerdictTable(bigquery, config.dataset, config.verdictTable);
  await events.ensureExists();
  await verdicts.ensureExists();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('pending verdicts', () => {
  it('written straight into event documents are exported once each to the verdicts table', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const ids = [`h-${uniqueSuffix()}`, `p-${uniqueSuffix()}`];
    for (const id of ids) await exportedHeal(collection, id);
    await give(collection, ids[0]!, verdict('held', '2026-11-23T11:30:00Z'));
    await give(collection, ids[1]!, verdict('premature', '2026-11-23T11:00:00Z', { late_players: 4, progress_after_minutes: 6.5 }));

    const first = await outbox(collection).export([], AbortSignal.timeout(20_000));
    const second = await outbox(collection).export([], AbortSignal.timeout(20_000));

    expect(first).toMatchObject({ exported: 2, pending: 0, setAside: 0, events: { exported: 0 }, verdicts: { exported: 2, pending: 0 } });
    expect(second).toMatchObject({ exported: 0, pending: 0 });
    const rows = await verdictRows(ids);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.verdict === 'premature')).toMatchObject({
      healing_type: 'batch_cleanup', healed_at: '2026-11-23T10:00:00.000Z', stall_minutes: 17.5, late_players: 4, progress_after_minutes: 6.5, actor: null,
    });
    const doc = (await firestore.collection(collection).doc(ids[0]!).get()).data()!;
    expect(doc).toMatchObject({ verdict_exported: true, bigquery_exported: true });
    expect(doc.verdict_export_claim).toBeUndefined();
  });

  it('are claimed like events: one held by a live claim of another run is left, one whose claim expired is taken', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const [live, expired] = [`live-${uniqueSuffix()}`, `expired-${uniqueSuffix()}`];
    for (const id of [live, expired]) {
      await exportedHeal(collection, id);
      await give(collection, id, verdict('held', '2026-11-23T11:30:00Z'));
    }
    const claim = (run: string, ms: number) => ({ verdict_export_claim: { run, expires_at: Timestamp.fromMillis(Date.now() + ms) } });
    await firestore.collection(collection).doc(live).update(claim('other', 600_000));
    await firestore.collection(collection).doc(expired).update(claim('crashed', -1_000));

    const report = await outbox(collection).export([], AbortSignal.timeout(20_000));

    expect(report.verdicts).toEqual({ exported: 1, pending: 1, setAside: 0 });
    expect((await verdictRows([live, expired])).map((row) => row.healing_id)).toEqual([expired]);
  });

  it('that cannot be read are set aside with the reason, the event itself untouched, and never read again', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const id = `odd-${uniqueSuffix()}`;
    await exportedHeal(collection, id);
    await firestore.collection(collection).doc(id).update({ verdict: { verdict: 'maybe', checked_at: Timestamp.now() }, verdict_exported: false });
    const logger = createMemoryLogger();

    const first = await outbox(collection, logger).export([], AbortSignal.timeout(20_000));
    const second = await outbox(collection).export([], AbortSignal.timeout(20_000));

    expect(first.verdicts).toEqual({ exported: 0, pending: 0, setAside: 1 });
    expect(second.verdicts).toEqual({ exported: 0, pending: 0, setAside: 0 });
    const doc = (await firestore.collection(collection).doc(id).get()).data()!;
    expect(doc.verdict_exported).toBeUndefined();
    expect(doc.verdict_export_error).toContain('verdict.verdict');
    expect(doc.verdict_export_set_aside_at).toBeInstanceOf(Timestamp);
    expect(doc.bigquery_exported).toBe(true);
    expect(doc.export_error).toBeUndefined();
    expect(logger.lines.some((line) => line.severity === 'WARNING' && line.message === `set aside heal verdict ${id}: ${doc.verdict_export_error}`)).toBe(true);
  });

  it('give a second row when an exported verdict is followed by undone, and the latest checked_at is the undone', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const id = `undone-${uniqueSuffix()}`;
    await exportedHeal(collection, id);
    await give(collection, id, verdict('held', '2026-11-23T11:30:00Z'));
    await outbox(collection).export([], AbortSignal.timeout(20_000));
    await give(collection, id, verdict('undone', '2026-11-23T12:45:00Z', { actor: 'ana', reason: 'the batch was fine' }));

    const report = await outbox(collection).export([], AbortSignal.timeout(20_000));

    expect(report.verdicts.exported).toBe(1);
    const rows = await verdictRows([id]);
    expect(rows.map((row) => [row.verdict, row.checked_at, row.actor])).toEqual([
      ['held', '2026-11-23T11:30:00.000Z', null],
      ['undone', '2026-11-23T12:45:00.000Z', 'ana'],
    ]);
  });

  it('marked as maybe sent are looked up by healing_id, verdict and checked_at, and not sent again when there', async () => {
    const collection = `events_${uniqueSuffix()}`;
    const id = `sent-${uniqueSuffix()}`;
    await exportedHeal(collection, id);
    const given = verdict('gone', '2026-11-23T11:45:00Z', { stall_minutes: null });
    await give(collection, id, given);
    await firestore.collection(collection).doc(id).update({ verdict_export_sent_at: Timestamp.now() });
    const row = { healing_id: id, healing_type: 'batch_cleanup', verdict: given.verdict, checked_at: given.checked_at, healed_at: healedAt, stall_minutes: null, late_players: null, progress_after_minutes: null, actor: null, reason: null };
    await verdicts.insertAll([JSON.stringify({ insertId: verdictInsertId(row), json: verdictStream.toJson(row) })]);

    const report = await outbox(collection).export([], AbortSignal.timeout(20_000));

    expect(report.verdicts).toEqual({ exported: 1, pending: 0, setAside: 0 });
    expect(await verdictRows([id])).toHaveLength(1);
    expect((await firestore.collection(collection).doc(id).get()).get('verdict_exported')).toBe(true);
  });
});
