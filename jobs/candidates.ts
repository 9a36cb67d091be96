import { type CollectionReference, type Query, type QueryDocumentSnapshot, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../shared/firestoreReads.js';
import { type Batch, parseBatch } from './batchDocument.js';
import { isStalled, type StallRule } from './stallRule.js';

export interface Malformed {
  id: string;
  reason: string;
}

/** What one candidate document is: a stalled batch, a malformed document, or an open batch that is fine. */
export type Candidate = { kind: 'stalled'; batch: Batch } | { kind: 'malformed'; reason: string } | { kind: 'open' };

export interface CandidateDecision {
  /** Documents the query returned. */
  found: number;
  /** The only documents kept: what the heals need. */
  stalled: Batch[];
  malformed: number;
}

export interface FindOptions {
  /** Called for each malformed document as it arrives; none is kept. */
  onMalformed: (malformed: Malformed) => void;
  /** Ends the query early: a stopped run starts no heal, so reading on is of no use. */
  stop?: AbortSignal;
}

/**
 * Streams the candidates query and decides each document as it arrives, keeping only the stalled
 * batches: memory grows with the stalled batches, not with the open ones. Firestore bills each
 * streamed document as one read, like a get.
 */
export async function findCandidates(batches: CollectionReference, rule: StallRule, now: Date, reads: FirestoreReadMeter, { onMalformed, stop }: FindOptions): Promise<CandidateDecision> {
  const decision: CandidateDecision = { found: 0, stalled: [], malformed: 0 };
  try {
    for await (const doc of candidatesQuery(batches, rule, now).stream() as AsyncIterable<QueryDocumentSnapshot>) {
      decision.found += 1;
      const candidate = decideCandidate(doc.id, doc.data(), rule, now);
      if (candidate.kind === 'stalled') decision.stalled.push(candidate.batch);
      else if (candidate.kind === 'malformed') {
        decision.malformed += 1;
        onMalformed({ id: doc.id, reason: candidate.reason });
      }
      if (stop?.aborted) break;
    }
  } finally {
    reads.documents(decision.found);
  }
  return decision;
}

/** Open batches created within MAX_AGE_HOURS: served by the (is_complete, created_at) index. */
export function candidatesQuery(batches: CollectionReference, rule: StallRule, now: Date): Query {
  return batches.where('is_complete', '==', false).where('created_at', '>=', Timestamp.fromMillis(now.getTime() - rule.maxAgeHours * 3_600_000));
}

/** Decides one candidate document. Pure. */
export function decideCandidate(id: string, data: Record<string, unknown> | undefined, rule: StallRule, now: Date): Candidate {
  const parsed = parseBatch(id, data, now);
  if (!parsed.ok) return { kind: 'malformed', reason: parsed.reason };
  return isStalled(parsed.batch, rule, now).stalled ? { kind: 'stalled', batch: parsed.batch } : { kind: 'open' };
}
