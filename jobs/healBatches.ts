import type { CollectionReference } from '@google-cloud/firestore';
import pMap from 'p-map';
import { BATCH_CLEANUP } from '../shared/batchCleanup.js';
import { firstLine } from '../shared/errorText.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import type { Logger } from '../shared/logger.js';
import { TIMED_OUT, within } from '../shared/timeLimit.js';
import type { Batch } from './batchDocument.js';
import { failedEvent } from './batchHealingEvent.js';
import { type HealContext, healBatch } from './healBatch.js';

/** Heals run this many at a time; each is its own transaction on its own batch. */
const HEAL_CONCURRENCY = 8;
/**
 * A heal transaction normally takes well under a second. One that has not ended after this long
 * means Firestore went away (its client retries commits for minutes): the run stops starting heals.
 * The transaction stays atomic, so a late commit still completes the batch together with its event.
 */
export const HEAL_TIMEOUT_MS = 30_000;

/** What the heals have done so far; filled in as each heal ends, so a run stopped midway still knows. */
export interface HealTally {
  /** Heals begun (ended or still in flight). */
  started: number;
  healedIds: string[];
  failedIds: string[];
  /** This run's events: its heals and the failed heals it could record, exported from memory. */
  events: HealingEvent[];
  /** Batches that moved on, or that another run healed first. */
  changed: number;
  /** Batches another transaction held (lock timeout, contention): left for the next run. */
  locked: number;
  /** Set when a heal got no answer from Firestore in time: the run must end as failed, and its client not be closed under requests still in flight. */
  firestoreDown: string | undefined;
}

export function emptyHealTally(): HealTally {
  return { started: 0, healedIds: [], failedIds: [], events: [], changed: 0, locked: 0, firestoreDown: undefined };
}

/**
 * Heals each batch in its own transaction, counting into `tally`. Never throws: a heal that fails
 * is recorded as a failed event when Firestore lets it. Once `stop` fires no new heal starts;
 * those running finish.
 */
export async function healBatches(batches: Batch[], collection: CollectionReference, context: HealContext, logger: Logger, stop: AbortSignal, tally: HealTally, timeoutMs = HEAL_TIMEOUT_MS): Promise<void> {
  await pMap(
    batches,
    async (batch) => {
      if (stop.aborted || tally.firestoreDown !== undefined) return;
      tally.started += 1;
      const outcome = await within(healBatch(collection.doc(batch.id), batch, context), timeoutMs);
      if (outcome === TIMED_OUT) {
        tally.firestoreDown = `Firestore did not answer a heal transaction within ${timeoutMs / 1000} s`;
        tally.failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${tally.firestoreDown}`, { batch_id: batch.id });
        return;
      }
      if (outcome.kind === 'healed') {
        tally.events.push(outcome.event);
        tally.healedIds.push(batch.id);
        if (outcome.squattedId !== undefined) {
          logger.warn(`healing event ${outcome.squattedId} already existed while batch ${batch.id} was still stalled, so no heal wrote it; recorded this heal as ${outcome.event.healing_id}`, {
            batch_id: batch.id, healing_id: outcome.event.healing_id, squatted_healing_id: outcome.squattedId,
          });
        }
        logger.info(`healed batch ${batch.id}`, { batch_id: batch.id, healing_id: outcome.event.healing_id, healing_type: BATCH_CLEANUP });
      } else if (outcome.kind === 'changed') {
        tally.changed += 1;
        logger.info(`left batch ${batch.id} alone: ${outcome.reason}`, { batch_id: batch.id });
      } else if (outcome.kind === 'locked') {
        tally.locked += 1;
        logger.warn(`skipped batch ${batch.id}: another transaction holds it (${outcome.error}); the next run takes it`, { batch_id: batch.id, error: outcome.error });
      } else {
        tally.failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${outcome.error}`, { batch_id: batch.id, error: outcome.error });
        if (tally.firestoreDown !== undefined) return;
        const event = createHealingEvent(failedEvent(batch, context.now, context.run, context.collection, context.rule, outcome.error), context.now);
        try {
          const written = await within(context.outbox.write(event), timeoutMs);
          if (written === TIMED_OUT) tally.firestoreDown = `Firestore did not answer within ${timeoutMs / 1000} s`;
          else if (written) tally.events.push(event);
        } catch (error) {
          logger.error(`could not record the failed heal of batch ${batch.id}: ${firstLine(error)}`, { batch_id: batch.id });
        }
      }
    },
    { concurrency: HEAL_CONCURRENCY },
  );
}

/** Firestore stopped answering during the heals: the run ends there, as failed. */
export class FirestoreUnavailableError extends Error {
  override name = 'FirestoreUnavailableError';
}
