import { FieldValue, type Firestore, type DocumentReference } from '@google-cloud/firestore';
import { firstLine } from '../shared/errorText.js';
import { isAlreadyExists } from '../shared/firestoreErrors.js';
import type { FirestoreReadMeter } from '../shared/firestoreReads.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import type { Outbox } from '../shared/outbox/Outbox.js';
import { type Batch, parseBatch } from './batchDocument.js';
import { autoCompletionReason, healedEvent, type RunIdentity } from './batchHealingEvent.js';
import { isStalled, type StallRule } from './stallRule.js';

export type HealOutcome =
  | { kind: 'healed'; event: HealingEvent }
  | { kind: 'changed'; reason: string }
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
  const { firestore, outbox, rule, run, collection, reads, now } = context;
  try {
    return await firestore.runTransaction(async (transaction): Promise<HealOutcome> => {
      const snapshot = await transaction.get(ref);
      reads.documents(1);
      const parsed = parseBatch(ref.id, snapshot.data(), now);
      if (!parsed.ok) return { kind: 'changed', reason: `now malformed: ${parsed.reason}` };
      const batch = parsed.batch;
      if (batch.updatedAt.getTime() !== queried.updatedAt.getTime()) return { kind: 'changed', reason: 'progressed since the query' };
      const decision = isStalled(batch, rule, now);
      if (!decision.stalled) return { kind: 'changed', reason: decision.reason };
      const event = createHealingEvent(healedEvent(batch, now, run, collection, rule), now);
      outbox.stage(transaction, event, { verdictDue: true });
      transaction.update(ref, {
        is_complete: true,
        completion_time: FieldValue.serverTimestamp(),
        auto_completed: true,
        auto_completion_reason: autoCompletionReason(batch, now),
        healing_id: event.healing_id,
        updated_at: FieldValue.serverTimestamp(),
      });
      return { kind: 'healed', event };
    });
  } catch (error) {
    // The event id is derived from the batch and its last update: if it exists, another run healed this batch.
    if (isAlreadyExists(error)) return { kind: 'changed', reason: 'healed by another run' };
    return { kind: 'failed', error: firstLine(error, Number.POSITIVE_INFINITY) || 'unknown error' };
  }
}
