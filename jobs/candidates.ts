import { type CollectionReference, type Query, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../shared/firestoreReads.js';
import { type Batch, parseBatch } from './batchDocument.js';
import { isStalled, type StallRule } from './stallRule.js';

export interface Malformed {
  id: string;
  reason: string;
}

export interface CandidateDecision {
  /** Documents the query returned. */
  found: number;
  stalled: Batch[];
  malformed: Malformed[];
}

/**
 * Candidates come from one index-backed query (is_complete == false, created_at within
 * MAX_AGE_HOURS), so reads grow with the open batches, not with the collection.
 */
export async function queryCandidates(batches: CollectionReference, rule: StallRule, now: Date, reads: FirestoreReadMeter): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
  const snapshot = await candidatesQuery(batches, rule, now).get();
  reads.documents(snapshot.size);
  return snapshot.docs.map((doc) => ({ id: doc.id, data: doc.data() }));
}

/** Open batches created within MAX_AGE_HOURS: served by the (is_complete, created_at) index. */
export function candidatesQuery(batches: CollectionReference, rule: StallRule, now: Date): Query {
  return batches.where('is_complete', '==', false).where('created_at', '>=', Timestamp.fromMillis(now.getTime() - rule.maxAgeHours * 3_600_000));
}

/** Splits the candidates into stalled batches and malformed documents. Pure. */
export function decideCandidates(documents: Array<{ id: string; data: Record<string, unknown> }>, rule: StallRule, now: Date): CandidateDecision {
  const decision: CandidateDecision = { found: documents.length, stalled: [], malformed: [] };
  for (const { id, data } of documents) {
    const parsed = parseBatch(id, data, now);
    if (!parsed.ok) decision.malformed.push({ id, reason: parsed.reason });
    else if (isStalled(parsed.batch, rule, now).stalled) decision.stalled.push(parsed.batch);
  }
  return decision;
}
