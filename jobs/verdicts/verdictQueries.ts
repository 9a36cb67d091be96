import { type CollectionReference, type Query, Timestamp } from '@google-cloud/firestore';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import { VERDICT_DUE_FIELD } from '../../shared/outbox/verdictDocument.js';

/**
 * Heals awaiting a verdict, healed in [from, to), oldest first: only documents carrying the
 * marker, so reads grow with the heals awaiting a verdict, never with history. Served by the
 * (verdict_due, timestamp) index.
 */
export function dueHealsQuery(events: CollectionReference, from: Date, to: Date): Query {
  return events
    .where(VERDICT_DUE_FIELD, '==', true)
    .where('timestamp', '>=', Timestamp.fromDate(from))
    .where('timestamp', '<', Timestamp.fromDate(to))
    .orderBy('timestamp');
}

/**
 * Successful batch heals of [from, to), newest first, with or without the marker: how heals
 * recorded before verdicts existed are found. Served by the (healing_type, success, timestamp desc)
 * index the alerts use.
 */
export function earlierHealsQuery(events: CollectionReference, from: Date, to: Date): Query {
  return events
    .where('healing_type', '==', BATCH_CLEANUP)
    .where('success', '==', true)
    .where('timestamp', '>=', Timestamp.fromDate(from))
    .where('timestamp', '<', Timestamp.fromDate(to))
    .orderBy('timestamp', 'desc');
}
