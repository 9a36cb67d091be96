import type { CollectionReference, Query } from '@google-cloud/firestore';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';

/** The successful batch heals a job execution recorded (`metadata.execution`), served by the (metadata.execution, healing_type, success) index. */
export function executionHealsQuery(events: CollectionReference, execution: string): Query {
  return events.where('metadata.execution', '==', execution).where('healing_type', '==', BATCH_CLEANUP).where('success', '==', true);
}
