import type { CollectionReference } from '@google-cloud/firestore';
import pMap from 'p-map';
import { BATCH_CLEANUP } from '../shared/batchCleanup.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import type { Logger } from '../shared/logger.js';
import type { Batch } from './batchDocument.js';
import { failedEvent } from './batchHealingEvent.js';
import { type HealContext, healBatch } from './healBatch.js';
import { firstLine } from '../shared/errorText.js';
import { TIMED_OUT, within } from '../shared/timeLimit.js';

/** Heals run this many at a time; each is its own transaction on its own batch. */
const HEAL_CONCURRENCY = 8;
/**
 * A heal transaction normally takes well under a second. One that has not ended after this long
 * means Firestore went away (its client retries commits for minutes): the run stops starting heals.
 * The transaction stays atomic, so a late commit still completes the batch together with its event.
 */
export const HEAL_TIMEOUT_MS = 30_000;

export interface HealResults {
  /** Events of the batches healed, and of the failed heals that could be recorded. */
  events: HealingEvent[];
  healedIds: string[];
  failedIds: string[];
  /** Batches that moved on, or that another run healed first. */
  changed: number;
  /** Batches not tried because the run was told to stop or Firestore stopped answering. */
  notStarted: number;
  /** Set when a heal got no answer from Firestore in time: the run must end as failed, and its client not be closed under requests still in flight. */
  firestoreDown: string | undefined;
}

/**
 * Heals each batch in its own transaction. Never throws: a heal that fails is recorded as a failed
 * event when Firestore lets it. Once `stop` fires no new heal starts; those running finish.
 */
export async function healBatches(batches: Batch[], collection: CollectionReference, context: HealContext, logger: Logger, stop: AbortSignal, timeoutMs = HEAL_TIMEOUT_MS): Promise<HealResults> {
  const results: HealResults = { events: [], healedIds: [], failedIds: [], changed: 0, notStarted: 0, firestoreDown: undefined };
  await pMap(
    batches,
    async (batch) => {
      if (stop.aborted || results.firestoreDown !== undefined) {
        results.notStarted += 1;
        return;
      }
      const outcome = await within(healBatch(collection.doc(batch.id), batch, context), timeoutMs);
      if (outcome === TIMED_OUT) {
        results.firestoreDown = `Firestore did not answer a heal transaction within ${timeoutMs / 1000} s`;
        results.failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${results.firestoreDown}`, { batch_id: batch.id });
        return;
      }
      if (outcome.kind === 'healed') {
        results.events.push(outcome.event);
        results.healedIds.push(batch.id);
        logger.info(`healed batch ${batch.id}`, { batch_id: batch.id, healing_id: outcome.event.healing_id, healing_type: BATCH_CLEANUP });
      } else if (outcome.kind === 'changed') {
        results.changed += 1;
        logger.info(`left batch ${batch.id} alone: ${outcome.reason}`, { batch_id: batch.id });
      } else {
        results.failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${outcome.error}`, { batch_id: batch.id, error: outcome.error });
        if (results.firestoreDown !== undefined) return;
        const event = createHealingEvent(failedEvent(batch, context.now, context.run, context.collection, context.rule, outcome.error), context.now);
        try {
          const written = await within(context.outbox.write(event), timeoutMs);
          if (written === TIMED_OUT) results.firestoreDown = `Firestore did not answer within ${timeoutMs / 1000} s`;
          else if (written) results.events.push(event);
        } catch (error) {
          logger.error(`could not record the failed heal of batch ${batch.id}: ${firstLine(error)}`, { batch_id: batch.id });
        }
      }
    },
    { concurrency: HEAL_CONCURRENCY },
  );
  return results;
}

/** Firestore stopped answering during the heals: the run ends there, as failed. */
export class FirestoreUnavailableError extends Error {
  override name = 'FirestoreUnavailableError';
}
