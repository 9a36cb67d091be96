import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { HealingEvent, JsonObject } from '../healingEvent.js';

/** Field that marks a Firestore event as not yet in BigQuery. */
export const EXPORTED_FIELD = 'bigquery_exported';

/** The Firestore document of an event: the event's fields plus its export marker. */
export function toFirestoreDocument(event: HealingEvent): DocumentData {
  return {
    ...event,
    timestamp: Timestamp.fromDate(event.timestamp),
    [EXPORTED_FIELD]: false,
    bigquery_exported_at: null,
  };
}

/** Reads an event back from its Firestore document. */
export function fromFirestoreDocument(data: DocumentData): HealingEvent {
  const timestamp = data.timestamp instanceof Timestamp ? data.timestamp.toDate() : new Date(String(data.timestamp));
  return {
    healing_id: String(data.healing_id),
    timestamp,
    healing_type: String(data.healing_type),
    trigger_reason: String(data.trigger_reason),
    root_cause: typeof data.root_cause === 'string' ? data.root_cause : null,
    action_taken: String(data.action_taken),
    before_state: plainObject(data.before_state),
    after_state: plainObject(data.after_state),
    success: data.success === true,
    metadata: plainObject(data.metadata),
  };
}

function plainObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}
