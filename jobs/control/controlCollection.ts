import { createHash } from 'node:crypto';
import { type CollectionReference, type Firestore, type Query, Timestamp } from '@google-cloud/firestore';

/** The id of the document that pauses healing, in the control collection. */
export const PAUSE_DOCUMENT = 'healing';
/** `kind` of an exclusion document. */
export const EXCLUSION_KIND = 'exclusion';

/** Where operators steer the job: `<HEALING_COLLECTION>_control`. */
export function controlCollection(firestore: Firestore, healingCollection: string): CollectionReference {
  return firestore.collection(`${healingCollection}_control`);
}

/** The id of a batch's exclusion document: derived from the batch id, so any batch id makes a valid document id. */
export function exclusionDocumentId(batchId: string): string {
  return `exclusion-${createHash('sha256').update(batchId).digest('hex')}`;
}

/** Exclusions still in force at `now`: reads grow with the active exclusions, not with their history. */
export function activeExclusionsQuery(control: CollectionReference, now: Date): Query {
  return control.where('kind', '==', EXCLUSION_KIND).where('until', '>', Timestamp.fromDate(now));
}
