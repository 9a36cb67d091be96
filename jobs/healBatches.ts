import type { CollectionReference } from '@google-cloud/firestore';
import pMap from 'p-map';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import type { Logger } from '../shared/logger.js';
import type { Batch } from './batchDocument.js';
import { failedEvent, HEALING_TYPE } from './batchHealingEvent.js';
import { type HealContext, healBatch } from './healBatch.js';
import { firstLine } from '../shared/exitCodes.js';

/** Heals run this many at a time; each is its own transaction on its own batch. */
const HEAL_CONCURRENCY = 8;

export interface HealResults {
  /** Events of the batches healed, and of the failed heals that could be recorded. */
  events: HealingEvent[];
  healedIds: string[];
  failedIds: string[];
  /** Batches that moved on, or that another run healed first. */
  changed: number;
  /** Batches not tried because the run was told to stop. */
  notStarted: number;
}

/**
 * Heals each batch in its own transaction. Never throws: a heal that fails is recorded as a failed
 * event when Firestore lets it. Once `stop` fires no new heal starts; those running finish.
 */
export async function healBatches(batches: Batch[], collection: CollectionReference, context: HealContext, logger: Logger, stop: AbortSignal): Promise<HealResults> {
  const results: HealResults = { events: [], healedIds: [], failedIds: [], changed: 0, notStarted: 0 };
  await pMap(
    batches,
    async (batch) => {
      if (stop.aborted) {
        results.notStarted += 1;
        return;
      }
      const outcome = await healBatch(collection.doc(batch.id), batch, context);
      if (outcome.kind === 'healed') {
        results.events.push(outcome.event);
        results.healedIds.push(batch.id);
        logger.info(`healed batch ${batch.id}`, { batch_id: batch.id, healing_id: outcome.event.healing_id, healing_type: HEALING_TYPE });
      } else if (outcome.kind === 'changed') {
        results.changed += 1;
        logger.info(`left batch ${batch.id} alone: ${outcome.reason}`, { batch_id: batch.id });
      } else {
        results.failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${outcome.error}`, { batch_id: batch.id, error: outcome.error });
        const event = createHealingEvent(failedEvent(batch, context.now, context.run, context.collection, outcome.error), context.now);
        try {
          if (await context.outbox.write(event)) results.events.push(event);
        } catch (error) {
          logger.error(`could not record the failed heal of batch ${batch.id}: ${firstLine(error)}`, { batch_id: batch.id });
        }
      }
    },
    { concurrency: HEAL_CONCURRENCY },
  );
  return results;
}

