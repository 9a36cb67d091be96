import type { DocumentData } from '@google-cloud/firestore';
import type { HealingEvent, JsonObject } from '../healingEvent.js';
import { describeValue, plainJson, readTimestamp } from './lenientValues.js';

type PendingRead = { ok: true; event: HealingEvent } | { ok: false; reason: string };

/**
 * Reads a pending document written by any service: `timestamp` a Firestore timestamp or an ISO 8601
 * string with a zone, the JSON fields maps or JSON text of an object, a missing `healing_id` taken
 * from the document id; Firestore bytes become base64 text. Anything else missing or mistyped makes
 * the document unreadable. Pure.
 */
export function readPendingEvent(documentId: string, data: DocumentData): PendingRead {
  try {
    return { ok: true, event: toEvent(documentId, data) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function toEvent(documentId: string, data: DocumentData): HealingEvent {
  const healingId = data.healing_id ?? documentId;
  if (typeof healingId !== 'string' || healingId.trim() === '') throw new Error('healing_id is not a non-empty string');
  if (typeof data.success !== 'boolean') throw new Error(`success is ${describeValue(data.success)}, not a boolean`);
  const rootCause = data.root_cause ?? null;
  if (rootCause !== null && typeof rootCause !== 'string') throw new Error(`root_cause is ${describeValue(rootCause)}, not a string or null`);
  return {
    healing_id: healingId,
    timestamp: readTimestamp(data.timestamp, 'timestamp'),
    healing_type: text(data, 'healing_type'),
    trigger_reason: text(data, 'trigger_reason'),
    root_cause: rootCause,
    action_taken: text(data, 'action_taken'),
    before_state: jsonObject(data, 'before_state'),
    after_state: jsonObject(data, 'after_state'),
    success: data.success,
    metadata: jsonObject(data, 'metadata'),
  };
}

function text(data: DocumentData, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${field} is ${describeValue(value)}, not a non-empty string`);
  return value;
}

function jsonObject(data: DocumentData, field: string): JsonObject {
  let value: unknown = data[field];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`${field} is a string that is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new Error(`${field} is ${describeValue(value)}, not a JSON object`);
  }
  return plainJson(value) as JsonObject;
}
