import { DocumentReference, GeoPoint, Timestamp } from '@google-cloud/firestore';
import type { JsonValue } from '../healingEvent.js';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A Firestore timestamp, or an ISO 8601 time with a zone as services in other languages write it; throws naming the field otherwise. */
export function readTimestamp(value: unknown, field: string): Date {
  if (value instanceof Timestamp) return value.toDate();
  if (typeof value === 'string' && ISO_WITH_ZONE.test(value.trim())) {
    const parsed = new Date(value.trim());
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new Error(`${field} is ${describeValue(value)}, not a Firestore timestamp or an ISO 8601 time with a zone`);
}

/**
 * Firestore values as plain JSON: timestamps become ISO 8601 text, bytes base64 text, a document
 * reference its path, a geopoint `{ latitude, longitude }`.
 */
export function plainJson(value: unknown): JsonValue {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof DocumentReference) return value.path;
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude };
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined).map(([key, inner]) => [key, plainJson(inner)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value as JsonValue;
}

/** A short description of a value for a reason: `missing`, `the string "…"`, `a number`, ... */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Timestamp) return 'a timestamp';
  if (value instanceof Uint8Array) return 'bytes';
  return `a ${typeof value}`;
}
