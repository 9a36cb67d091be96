import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { HealingEvent, JsonObject, JsonValue } from '../healingEvent.js';

export type PendingRead = { ok: true; event: HealingEvent } | { ok: false; reason: string };

/**
 * Reads a pending document written by any service: `timestamp` a Firestore timestamp or an ISO 8601
 * string with a zone, the JSON fields maps or JSON text of an object, a missing `healing_id` taken
 * from the document id. Anything else missing or mistyped makes the document unreadable. Pure.
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
  if (typeof data.success !== 'boolean') throw new Error(`success is ${describe(data.success)}, not a boolean`);
  const rootCause = data.root_cause ?? null;
  if (rootCause !== null && typeof rootCause !== 'string') throw new Error(`root_cause is ${describe(rootCause)}, not a string or null`);
  return {
    healing_id: healingId,
    timestamp: timestamp(data.timestamp),
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

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function timestamp(value: unknown): Date {
  if (value instanceof Timestamp) return value.toDate();
  if (typeof value === 'string' && ISO_WITH_ZONE.test(value.trim())) {
    const parsed = new Date(value.trim());
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new Error(`timestamp is ${describe(value)}, not a Firestore timestamp or an ISO 8601 time with a zone`);
}

function text(data: DocumentData, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${field} is ${describe(value)}, not a non-empty string`);
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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${field} is ${describe(value)}, not a JSON object`);
  }
  return plainJson(value) as JsonObject;
}

/** Firestore values as plain JSON: timestamps become ISO 8601 text. */
function plainJson(value: unknown): JsonValue {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined).map(([key, inner]) => [key, plainJson(inner)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value as JsonValue;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Timestamp) return 'a timestamp';
  return `a ${typeof value}`;
}
