import type { DocumentData, DocumentReference, Firestore, Query, QueryDocumentSnapshot } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import type { Logger } from '../../shared/logger.js';
import { GuardedWrites } from '../../shared/outbox/guardedWrites.js';
import type { Outbox, OwnRow } from '../../shared/outbox/Outbox.js';
import { type HealVerdict, type HealVerdictRow, VERDICT_DUE_FIELD, VERDICT_FIELD } from '../../shared/outbox/verdictDocument.js';
import { ownsBatch } from '../taskShard.js';
import { decideVerdict, type GivenVerdict, type HealUnderReview, type VerdictCounts, type VerdictDecision } from './decideVerdict.js';
import { readBatchNow, readHeal } from './reviewDocuments.js';
import { dueHealsQuery, earlierHealsQuery } from './verdictQueries.js';
import { verdictsSince } from './verdictsSince.js';

/** Heals read per page; their batches are read with one getAll per page. */
export const VERIFY_PAGE = 250;

export interface VerifyOptions {
  firestore: Firestore;
  /** Writes each verdict claimed by this run, so its export takes the rows from memory. */
  outbox: Outbox;
  healingCollection: string;
  verifyMinutes: number;
  verifyHours: number;
  taskIndex: number;
  taskCount: number;
  /** Decide and log, write nothing. */
  dryRun: boolean;
  /** The run's start: heals from then on are this run's own, never read back. */
  runStart: Date;
  /** When the verdicts are given (`checked_at`). */
  now: Date;
  reads: FirestoreReadMeter;
  logger: Logger;
  /** No new page is started once it fires. */
  stop: AbortSignal;
  /** Heals read per page, their batches read with one getAll (default `VERIFY_PAGE`). */
  pageSize?: number;
}

export interface VerifyResult {
  given: VerdictCounts;
  /** The verdicts this run wrote, claimed by it, for its export. */
  rows: Array<OwnRow<HealVerdictRow>>;
  /** Healing types that got new verdicts. */
  types: Set<string>;
  /** Firestore failed: the verdicts above were given before it did. */
  error?: unknown;
}

/**
 * Gives the successful batch heals of earlier runs in the last `verifyHours` their verdicts:
 * reads the heals awaiting one (the `verdict_due` marker; also, for `verifyHours` after the job
 * first gave verdicts, heals recorded before it did) and their batches, one getAll per page, and
 * writes each verdict only onto an event that has none, with a precondition instead of a read.
 * With several tasks, each verifies the heals of the batches it owns. Never throws.
 */
export async function verifyHeals(options: VerifyOptions): Promise<VerifyResult> {
  const result: VerifyResult = { given: { held: 0, premature: 0, gone: 0 }, rows: [], types: new Set() };
  const { firestore, healingCollection, verifyHours, runStart, dryRun, reads, logger } = options;
  const events = firestore.collection(healingCollection);
  const from = new Date(runStart.getTime() - verifyHours * 3_600_000);
  const writes = new GuardedWrites(firestore, reads);
  const marked = () => eachPage(dueHealsQuery(events, from, runStart), options, (docs) => review(docs, options, writes, result));
  const unmarked = async () => {
    const { since, recorded } = await verdictsSince(firestore, healingCollection, runStart, { dryRun, reads, logger });
    const until = new Date(Math.min(since.getTime(), runStart.getTime()));
    // Heals recorded before verdicts existed carry no marker: found by type and time until they age out.
    const withoutMarker = (doc: QueryDocumentSnapshot) => doc.get(VERDICT_DUE_FIELD) !== true && doc.get(VERDICT_FIELD) === undefined;
    const earlier = until > from ? eachPage(earlierHealsQuery(events, from, until), options, (docs) => review(docs.filter(withoutMarker), options, writes, result)) : undefined;
    await Promise.all([recorded, earlier]);
  };
  // The two sets are apart (with and without the marker), so they are verified side by side.
  const failed = (await Promise.allSettled([marked(), unmarked()])).find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) result.error = failed.reason;
  return result;
}

/** Runs `query` page by page, reading the next page while one is handled, until it is exhausted or the run is stopped. */
async function eachPage(query: Query, { reads, stop, pageSize = VERIFY_PAGE }: VerifyOptions, handle: (docs: QueryDocumentSnapshot[]) => Promise<void>): Promise<void> {
  const read = async (after?: QueryDocumentSnapshot) => {
    const snapshot = await (after === undefined ? query : query.startAfter(after)).limit(pageSize).get();
    reads.documents(snapshot.size);
    return snapshot;
  };
  let page = read();
  for (;;) {
    const snapshot = await page;
    if (snapshot.size < pageSize || stop.aborted) return handle(snapshot.docs);
    page = read(snapshot.docs[snapshot.size - 1]);
    // Awaited on the next turn, where a failure is thrown; not left unhandled if this page fails first.
    page.catch(() => undefined);
    await handle(snapshot.docs);
  }
}

/** One page: reads the batches of its heals at once, decides, and writes the verdicts given. */
async function review(docs: QueryDocumentSnapshot[], options: VerifyOptions, writes: GuardedWrites, result: VerifyResult): Promise<void> {
  const { firestore, taskIndex, taskCount, now, verifyMinutes, logger } = options;
  const heals: Array<{ doc: QueryDocumentSnapshot; heal: HealUnderReview }> = [];
  for (const doc of docs) {
    if (doc.get(VERDICT_FIELD) !== undefined) continue;
    const read = readHeal(doc.id, doc.data());
    if (!read.ok) logger.warn(`cannot verify heal ${doc.id}: ${read.reason}`, { healing_id: doc.id, reason: read.reason });
    else if (ownsBatch(read.heal.batchId, taskIndex, taskCount)) heals.push({ doc, heal: read.heal });
  }
  if (heals.length === 0) return;

  const refs = new Map<string, DocumentReference>();
  for (const { heal } of heals) {
    const ref = firestore.collection(heal.batchCollection).doc(heal.batchId);
    refs.set(ref.path, ref);
  }
  const batches = await firestore.getAll(...refs.values());
  options.reads.documents(batches.length);
  const batchAt = new Map(batches.map((snapshot) => [snapshot.ref.path, readBatchNow(snapshot.data())]));

  const given: Array<{ doc: QueryDocumentSnapshot; heal: HealUnderReview; verdict: HealVerdict }> = [];
  for (const { doc, heal } of heals) {
    const decision = decideVerdict(heal, batchAt.get(`${heal.batchCollection}/${heal.batchId}`) ?? null, now, { verifyMinutes });
    if (decision.verdict !== 'open') given.push({ doc, heal, verdict: toVerdict(decision, heal, now) });
  }
  if (options.dryRun) {
    for (const { heal, verdict } of given) logger.info(`dry run: would give heal ${heal.healingId} of batch ${heal.batchId} the verdict ${verdict.verdict}`, verdictFields(heal, verdict));
    return;
  }

  const versions = await writes.apply(
    given.map(({ doc, verdict }) => ({
      ref: doc.ref,
      version: doc.updateTime,
      change: options.outbox.claimedVerdictFields(verdict),
      // Written since the query: only an event that still has no verdict gets this one.
      recheck: (data: DocumentData) => data[VERDICT_FIELD] === undefined,
    })),
  );
  given.forEach(({ heal, verdict }, index) => {
    const version = versions[index];
    if (version === null || version === undefined) return;
    const kind = verdict.verdict as GivenVerdict;
    result.given[kind] += 1;
    result.types.add(heal.healingType);
    result.rows.push({ row: toRow(heal, verdict), version });
    logger.info(`heal ${heal.healingId} of batch ${heal.batchId}: ${describe(verdict)}`, verdictFields(heal, verdict));
  });
}

function toVerdict(decision: Exclude<VerdictDecision, { verdict: 'open' }>, heal: HealUnderReview, now: Date): HealVerdict {
  return {
    verdict: decision.verdict,
    checked_at: now,
    healed_at: heal.healedAt,
    stall_minutes: heal.stallMinutes,
    late_players: decision.verdict === 'premature' ? decision.latePlayers : null,
    progress_after_minutes: decision.verdict === 'premature' ? decision.progressAfterMinutes : null,
  };
}

function toRow(heal: HealUnderReview, verdict: HealVerdict): HealVerdictRow {
  return {
    healing_id: heal.healingId,
    healing_type: heal.healingType,
    verdict: verdict.verdict,
    checked_at: verdict.checked_at,
    healed_at: verdict.healed_at,
    stall_minutes: verdict.stall_minutes,
    late_players: verdict.late_players,
    progress_after_minutes: verdict.progress_after_minutes,
    actor: null,
    reason: null,
  };
}

function describe(verdict: HealVerdict): string {
  if (verdict.verdict === 'held') return 'held';
  if (verdict.verdict === 'gone') return 'gone (the batch no longer exists)';
  const players = verdict.late_players ? `${verdict.late_players} late player(s), ` : '';
  return `premature (${players}progress written ${verdict.progress_after_minutes} minutes after the heal)`;
}

function verdictFields(heal: HealUnderReview, verdict: HealVerdict): Record<string, unknown> {
  return {
    healing_id: heal.healingId,
    healing_type: heal.healingType,
    batch_id: heal.batchId,
    verdict: verdict.verdict,
    late_players: verdict.late_players,
    progress_after_minutes: verdict.progress_after_minutes,
  };
}
