import { randomBytes } from 'node:crypto';
import { FieldValue, type Firestore, type DocumentReference } from '@google-cloud/firestore';
import { firstLine } from '../shared/errorText.js';
import { isAborted, isAlreadyExists, isDeadlineExceeded } from '../shared/firestoreErrors.js';
import type { FirestoreReadMeter } from '../shared/firestoreReads.js';
import { batchCleanupHealingId, createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import type { Outbox } from '../shared/outbox/Outbox.js';
import { type Batch, parseBatch } from './batchDocument.js';
import { autoCompletionReason, healedEvent, type RunIdentity } from './batchHealingEvent.js';
import { isStalled, type StallRule } from './stallRule.js';

export type HealOutcome =
  /** `squattedId`: the heal's own id was taken by a document no heal wrote, so the event is under that id with a suffix. */
  | { kind: 'healed'; event: HealingEvent; squattedId?: string }
  | { kind: 'changed'; reason: string }
  /** Another transaction held the batch (lock timeout, contention): nothing was written; the next run takes it. */
  | { kind: 'locked'; error: string }
  | { kind: 'failed'; error: string };

export interface HealContext {
  firestore: Firestore;
  outbox: Outbox;
  rule: StallRule;
  run: RunIdentity;
  collection: string;
  reads: FirestoreReadMeter;
  now: Date;
}

/**
 * Completes one stalled batch in a transaction that re-reads it and re-checks the rule, and
 * creates its healing event in the same transaction, marked as awaiting its verdict. A batch that
 * moved on since the query is left alone; so is one another run healed first.
 */
export async function healBatch(ref: DocumentReference, queried: Batch, context: HealContext): Promise<HealOutcome> {
  const healingId = batchCleanupHealingId(queried.id, queried.updatedAt);
  const outcome = await healUnder(healingId, ref, queried, context);
  if (outcome.kind !== 'taken') return outcome;
  // The batch was still stalled when this transaction read it, and a heal commits with its event:
  // the document at the heal's id is not a heal's. The heal goes under that id with a random
  // suffix; its re-read tells a batch another run healed meanwhile (then it is left alone).
  const suffixed = `${healingId}-${randomBytes(4).toString('hex')}`;
  const retried = await healUnder(suffixed, ref, queried, context);
  if (retried.kind === 'taken') return { kind: 'failed', error: `healing events ${healingId} and ${suffixed} both exist already` };
  return retried.kind === 'healed' ? { ...retried, squattedId: healingId } : retried;
}

/** One heal with its event under `healingId`; `taken` when a document is already there. */
async function healUnder(healingId: string, ref: DocumentReference, queried: Batch, context: HealContext): Promise<HealOutcome | { kind: 'taken' }> {
  const { firestore, outbox, rule, run, collection, reads, now } = context;
  // Set once an attempt hands its writes to the client library to commit.
  let commitSent = false;
  try {
    return await firestore.runTransaction(async (transaction): Promise<HealOutcome> => {
      commitSent = false;
      const snapshot = await transaction.get(ref);
      reads.documents(1);
      const parsed = parseBatch(ref.id, snapshot.data(), now);
      if (!parsed.ok) return { kind: 'changed', reason: `now malformed: ${parsed.reason}` };
      const batch = parsed.batch;
      if (batch.updatedAt.getTime() !== queried.updatedAt.getTime()) return { kind: 'changed', reason: 'progressed since the query' };
      const decision = isStalled(batch, rule, now);
      if (!decision.stalled) return { kind: 'changed', reason: decision.reason };
      const event = createHealingEvent({ ...healedEvent(batch, now, run, collection, rule), healing_id: healingId }, now);
      outbox.stage(transaction, event, { verdictDue: true });
      transaction.update(ref, {
        is_complete: true,
        completion_time: FieldValue.serverTimestamp(),
        auto_completed: true,
        auto_completion_reason: autoCompletionReason(batch, now),
        healing_id: event.healing_id,
        updated_at: FieldValue.serverTimestamp(),
      });
      commitSent = true;
      return { kind: 'healed', event };
    });
  } catch (error) {
    const kind = healErrorKind(error, commitSent);
    if (kind === 'taken') return { kind };
    return { kind, error: firstLine(error, Number.POSITIVE_INFINITY) || 'unknown error' };
  }
}

/**
 * What the error ending a heal transaction means. `taken`: its event's id exists. `locked`: another
 * transaction held the batch (ABORTED after the client library's retries, or DEADLINE_EXCEEDED
 * before the commit was sent), so nothing was written and nothing is wrong with the batch.
 * `failed`: anything else, a heal that failed on the batch itself or may have committed. Pure.
 */
export function healErrorKind(error: unknown, commitSent: boolean): 'taken' | 'locked' | 'failed' {
  if (isAlreadyExists(error)) return 'taken';
  if (isAborted(error) || (isDeadlineExceeded(error) && !commitSent)) return 'locked';
  return 'failed';
}
