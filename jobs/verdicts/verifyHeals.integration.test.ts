import { runJob as runJobInProcess } from '../../test/support/runJob.js';
import type { BigQuery } from '@google-cloud/bigquery';
import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { createFirestore } from '../../shared/firestoreClient.js';
import type { JobConfig } from '../../shared/config.js';
import { HealingEventTable } from '../../shared/healingEventTable.js';
import { HealVerdictTable } from '../../shared/healVerdictTable.js';
import { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import { createMemoryLogger } from '../../shared/logger.js';
import { Outbox } from '../../shared/outbox/Outbox.js';
import { seedBatches } from '../../test/support/batches.js';
import { jobTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../../test/support/emulators.js';
import { seedHeals, verdictsGivenSince } from '../../test/support/heals.js';
import { verifyHeals } from './verifyHeals.js';

const fileSuffix = uniqueSuffix();
let firestore: Firestore;
let bigquery: BigQuery;

function freshConfig(extra: Record<string, string> = {}): JobConfig {
  const own = uniqueSuffix();
  return jobTestConfig(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, ...extra });
}

/** One run of the job at `at` on the job's clock, with its own Firestore client like a separate execution. */
function runAt(config: JobConfig, at: Date) {
  return runJobInProcess(config, { now: () => at, logLevel: 'info' });
}

async function eventsById(config: JobConfig): Promise<Map<string, FirebaseFirestore.DocumentData>> {
  const snapshot = await firestore.collection(config.healingCollection).get();
  return new Map(snapshot.docs.map((doc) => [doc.id, doc.data()]));
}

/** The verdict of each heal of `batchIds`, by batch id; undefined while it is open. */
async function verdictsOf(config: JobConfig): Promise<Record<string, string | undefined>> {
  const events = await eventsById(config);
  return Object.fromEntries([...events.values()].map((data) => [data.metadata.batch_id as string, data.verdict?.verdict as string | undefined]));
}

async function verdictRows(config: JobConfig, healingIds: string[]): Promise<Array<{ healing_id: string; verdict: string; late_players: number | null }>> {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, verdict, late_players FROM \`${config.projectId}.${config.dataset}.${config.verdictTable}\` WHERE healing_id IN UNNEST(@ids) ORDER BY healing_id`,
    params: { ids: healingIds },
  });
  return rows as Array<{ healing_id: string; verdict: string; late_players: number | null }>;
}

/** A worker that was slow, not dead: it writes players to the healed batch and touches updated_at. */
async function workerComesBack(config: JobConfig, batchId: string, players: number): Promise<void> {
  const late = Array.from({ length: players }, (_, i) => `late-${i}`);
  await firestore.collection(config.batchCollection).doc(batchId).update({ completed_players: FieldValue.arrayUnion(...late), updated_at: FieldValue.serverTimestamp() });
}

beforeAll(async () => {
  const config = jobTestConfig(fileSuffix);
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  await new HealVerdictTable(bigquery, config.dataset, config.verdictTable).ensureExists();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('verdicts on earlier heals', () => {
  it('gives premature to heals whose worker came back, before VERIFY_MINUTES, held to the others after it, and never changes a verdict', async () => {
    const config = freshConfig({ VERIFY_MINUTES: '1' });
    const healedAt = new Date();
    const ids = Array.from({ length: 10 }, (_, i) => `b-${i}`);
    await seedBatches(firestore, config.batchCollection, ids.map((id) => ({ id, completed: 19, expected: 20, stalledMinutes: 30 })), healedAt);
    const healRun = await runAt(config, healedAt);
    expect(healRun.summary).toMatchObject({ healed: 10, verdicts: { held: 0, premature: 0, gone: 0 } });
    const healed = await eventsById(config);
    expect([...healed.values()].every((event) => event.verdict_due === true && event.metadata.rule.stall_minutes === 15)).toBe(true);

    await workerComesBack(config, 'b-0', 1);
    await workerComesBack(config, 'b-1', 2);
    await workerComesBack(config, 'b-2', 3);
    const beforeTheMinute = await runAt(config, new Date(healedAt.getTime() + 20_000));
    expect(beforeTheMinute.summary.verdicts).toEqual({ held: 0, premature: 3, gone: 0 });
    expect(await verdictsOf(config)).toEqual({ 'b-0': 'premature', 'b-1': 'premature', 'b-2': 'premature', 'b-3': undefined, 'b-4': undefined, 'b-5': undefined, 'b-6': undefined, 'b-7': undefined, 'b-8': undefined, 'b-9': undefined });
    const premature = [...(await eventsById(config)).values()].filter((event) => event.verdict !== undefined);
    expect(premature.map((event) => event.verdict.late_players).sort()).toEqual([1, 2, 3]);
    expect(premature.every((event) => event.verdict_due === undefined && event.verdict.progress_after_minutes >= 0 && event.verdict.stall_minutes === 30)).toBe(true);

    const afterTheMinute = await runAt(config, new Date(healedAt.getTime() + 120_000));
    expect(afterTheMinute.summary.verdicts).toEqual({ held: 7, premature: 0, gone: 0 });
    const given = await eventsById(config);
    expect([...given.values()].every((event) => event.verdict_due === undefined && event.verdict_exported === true)).toBe(true);

    await workerComesBack(config, 'b-9', 1);
    const later = await runAt(config, new Date(healedAt.getTime() + 600_000));
    expect(later.summary.verdicts).toEqual({ held: 0, premature: 0, gone: 0 });
    expect(await eventsById(config)).toEqual(given);

    const rows = await verdictRows(config, [...given.keys()]);
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => row.verdict === 'premature').map((row) => Number(row.late_players)).sort()).toEqual([1, 2, 3]);
    expect(rows.filter((row) => row.verdict === 'held')).toHaveLength(7);
  }, 120_000);

  it('gives gone to a heal whose batch document was deleted', async () => {
    const config = freshConfig();
    const now = new Date();
    await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    await seedHeals(firestore, config.batchCollection, config.healingCollection, [{ id: 'deleted', healedMinutesAgo: 5 }, { id: 'kept', healedMinutesAgo: 5 }], now);
    await firestore.collection(config.batchCollection).doc('deleted').delete();

    const { summary } = await runAt(config, now);

    expect(summary.verdicts).toEqual({ held: 0, premature: 0, gone: 1 });
    expect(await verdictsOf(config)).toEqual({ deleted: 'gone', kept: undefined });
  });

  it('puts every verdict in heal_verdicts once when two runs start together over the same heals', async () => {
    const config = freshConfig();
    const now = new Date();
    await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    const specs = Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, healedMinutesAgo: 90, ...(i % 4 === 0 ? { late: { players: 2, minutesAfter: 10 } } : {}) }));
    const events = await seedHeals(firestore, config.batchCollection, config.healingCollection, specs, now);

    const [first, second] = await Promise.all([runAt(config, now), runAt(config, now)]);

    const given = (summary: typeof first.summary) => summary.verdicts.held + summary.verdicts.premature + summary.verdicts.gone;
    expect(given(first.summary) + given(second.summary)).toBe(40);
    expect(first.summary.verdicts.premature + second.summary.verdicts.premature).toBe(10);
    const rows = await verdictRows(config, events.map((event) => event.healing_id));
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((row) => row.healing_id)).size).toBe(40);
  }, 120_000);

  it('gives a verdict to a heal recorded before verdicts existed (no marker, no rule), within VERIFY_HOURS only', async () => {
    const config = freshConfig({ VERIFY_HOURS: '6' });
    const now = new Date();
    await seedHeals(firestore, config.batchCollection, config.healingCollection, [
      { id: 'old-held', healedMinutesAgo: 120, oldShape: true },
      { id: 'old-premature', healedMinutesAgo: 120, oldShape: true, late: { players: 1, minutesAfter: 7 } },
      { id: 'too-old', healedMinutesAgo: 7 * 60, oldShape: true },
    ], now);

    const first = await runAt(config, now);
    const second = await runAt(config, new Date(now.getTime() + 60_000));

    expect(first.summary.verdicts).toEqual({ held: 1, premature: 1, gone: 0 });
    expect(await verdictsOf(config)).toEqual({ 'old-held': 'held', 'old-premature': 'premature', 'too-old': undefined });
    expect(second.summary.verdicts).toEqual({ held: 0, premature: 0, gone: 0 });
    const control = await firestore.collection(`${config.healingCollection}_control`).doc('verdicts').get();
    expect(control.get('verdicts_since').toMillis()).toBe(now.getTime());
  });

  it('keeps the verdicts pending, claimed by no run, when BigQuery is down, and the next run exports each once', async () => {
    const config = freshConfig();
    const now = new Date();
    await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    const events = await seedHeals(firestore, config.batchCollection, config.healingCollection, [{ id: 'p-1', healedMinutesAgo: 90 }, { id: 'p-2', healedMinutesAgo: 90, late: { players: 1, minutesAfter: 4 } }], now);
    await seedBatches(firestore, config.batchCollection, [{ id: 'stalled-now', completed: 19, expected: 20, stalledMinutes: 30 }], now);

    const down = await runAt({ ...config, bigqueryEmulatorHost: UNREACHABLE_URL }, now);
    const pending = [...(await eventsById(config)).values()].filter((event) => event.verdict !== undefined);
    const up = await runAt(config, new Date(now.getTime() + 60_000));

    expect(down.summary).toMatchObject({ healed: 1, verdicts: { held: 1, premature: 1, gone: 0 }, verdicts_exported: 0, verdicts_pending_export: 2 });
    expect(pending.map((event) => [event.verdict_exported, event.verdict_export_claim])).toEqual([[false, undefined], [false, undefined]]);
    expect(up.summary).toMatchObject({ verdicts_exported: 2, verdicts_pending_export: 0 });
    expect(await verdictRows(config, events.map((event) => event.healing_id))).toHaveLength(2);
  });

  it('with several tasks, each gives verdicts to the heals of the batches it owns, together all of them', async () => {
    const now = new Date();
    const config = freshConfig({ CLOUD_RUN_TASK_COUNT: '2', CLOUD_RUN_TASK_INDEX: '0' });
    await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    await seedHeals(firestore, config.batchCollection, config.healingCollection, Array.from({ length: 20 }, (_, i) => ({ id: `t-${i}`, healedMinutesAgo: 90 })), now);

    const task0 = await runAt(config, now);
    const task1 = await runAt({ ...config, taskIndex: 1 }, now);

    expect(task0.summary.verdicts.held).toBeGreaterThan(0);
    expect(task1.summary.verdicts.held).toBeGreaterThan(0);
    expect(task0.summary.verdicts.held + task1.summary.verdicts.held).toBe(20);
  });

  it('DRY_RUN logs the verdicts it would give and writes nothing', async () => {
    const config = freshConfig({ DRY_RUN: 'true' });
    const now = new Date();
    await seedHeals(firestore, config.batchCollection, config.healingCollection, [{ id: 'd-1', healedMinutesAgo: 90 }, { id: 'd-2', healedMinutesAgo: 90, late: { players: 1, minutesAfter: 3 } }], now);
    const before = await eventsById(config);

    const { logger, summary } = await runAt(config, now);

    expect(await eventsById(config)).toEqual(before);
    expect((await firestore.collection(`${config.healingCollection}_control`).get()).size).toBe(0);
    const wouldGive = logger.lines.filter((entry) => String(entry.message).startsWith('dry run: would give')).map((entry) => entry.verdict);
    expect(wouldGive.sort()).toEqual(['held', 'premature']);
    expect(summary.verdicts).toEqual({ held: 0, premature: 0, gone: 0 });
  });
});

describe('verifyHeals page by page', () => {
  it('reads the heals awaiting verdicts in pages, each page\'s batches with one getAll, and gives every heal its verdict', async () => {
    const config = freshConfig();
    const now = new Date();
    await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    await seedHeals(firestore, config.batchCollection, config.healingCollection, Array.from({ length: 25 }, (_, i) => ({ id: `g-${i}`, healedMinutesAgo: 90 - i, ...(i % 5 === 0 ? { late: { players: 1, minutesAfter: 2 } } : {}) })), now);
    const logger = createMemoryLogger('info');
    const outbox = new Outbox({
      firestore, collection: config.healingCollection, logger, reads: new FirestoreReadMeter(), run: 'paged', claimTtlMs: 600_000,
      table: new HealingEventTable(bigquery, config.dataset, config.table), verdictTable: new HealVerdictTable(bigquery, config.dataset, config.verdictTable),
    });
    const reads = new FirestoreReadMeter();

    const result = await verifyHeals({
      firestore, outbox, healingCollection: config.healingCollection, verifyMinutes: 60, verifyHours: 24, taskIndex: 0, taskCount: 1,
      dryRun: false, runStart: now, now, reads, logger, stop: new AbortController().signal, pageSize: 10,
    });

    expect(result.error).toBeUndefined();
    expect(result.given).toEqual({ held: 20, premature: 5, gone: 0 });
    expect(result.rows).toHaveLength(25);
    // Three pages of heals (10, 10, 5), their 25 batches, the control document.
    expect(reads.reads).toBe(25 + 25 + 1);
    expect(await verdictsOf(config)).toEqual(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`g-${i}`, i % 5 === 0 ? 'premature' : 'held'])));
  });
});

describe('Firestore reads of the verdicts', () => {
  const HEALS = 200;
  /** The run's other reads: candidates, the control document, the export's pages, the alert check of batch_cleanup. */
  const OTHER_READS = 15;

  it(`a run with ${HEALS} heals awaiting verdicts reads those ${HEALS} events and their ${HEALS} batches plus a constant; a run with none reads no batch`, async () => {
    const now = new Date();
    const awaiting = freshConfig();
    await verdictsGivenSince(firestore, awaiting.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    await seedHeals(firestore, awaiting.batchCollection, awaiting.healingCollection, Array.from({ length: HEALS }, (_, i) => ({ id: `r-${i}`, healedMinutesAgo: 90 })), now);
    const settled = freshConfig();
    await verdictsGivenSince(firestore, settled.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
    await seedHeals(firestore, settled.batchCollection, settled.healingCollection, Array.from({ length: HEALS }, (_, i) => ({ id: `s-${i}`, healedMinutesAgo: 90 })), now);
    await runAt(settled, now);

    const withHeals = await runAt(awaiting, now);
    const withNone = await runAt(settled, now);

    process.stdout.write(`firestore_reads with ${HEALS} heals awaiting verdicts: ${withHeals.summary.firestore_reads}; with none: ${withNone.summary.firestore_reads}\n`);
    expect(withHeals.summary.verdicts.held).toBe(HEALS);
    expect(withHeals.summary.verdicts_exported).toBe(HEALS);
    expect(withHeals.summary.firestore_reads).toBeLessThanOrEqual(2 * HEALS + OTHER_READS);
    expect(withNone.summary.verdicts).toEqual({ held: 0, premature: 0, gone: 0 });
    expect(withNone.summary.firestore_reads).toBeLessThanOrEqual(OTHER_READS);
  }, 120_000);
});
