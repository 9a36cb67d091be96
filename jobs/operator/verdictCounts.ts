import { type CollectionReference, type Query, Timestamp } from '@google-cloud/firestore';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';

/** The verdicts a heal can get. */
export const VERDICT_KINDS = ['held', 'premature', 'gone', 'undone'] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

/**
 * Batch heals given `verdict` since `since`: the shape of the premature alert's counts, so the same
 * (healing_type, verdict.verdict, verdict.checked_at desc) index serves it.
 */
export function verdictCountQuery(events: CollectionReference, verdict: VerdictKind, since: Date): Query {
  return events
    .where('healing_type', '==', BATCH_CLEANUP)
    .where('verdict.verdict', '==', verdict)
    .where('verdict.checked_at', '>', Timestamp.fromDate(since))
    .orderBy('verdict.checked_at', 'desc');
}
