import { type CollectionReference, type Query, Timestamp } from '@google-cloud/firestore';

/** The verdicts a heal can get. */
export const VERDICT_KINDS = ['held', 'premature', 'gone', 'undone'] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

/** Heals given `verdict` since `since`, served by the (verdict.verdict, verdict.checked_at) index. */
export function verdictCountQuery(events: CollectionReference, verdict: VerdictKind, since: Date): Query {
  return events.where('verdict.verdict', '==', verdict).where('verdict.checked_at', '>=', Timestamp.fromDate(since));
}
