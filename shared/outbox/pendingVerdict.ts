import type { DocumentData } from '@google-cloud/firestore';
import { describeValue, readTimestamp } from './lenientValues.js';
import type { RowRead } from './OutboxStream.js';
import { type HealVerdictRow, VERDICT_FIELD, VERDICTS, type VerdictKind } from './verdictDocument.js';

/**
 * Reads the pending verdict of an event document written by any service: `verdict` a map with
 * `verdict` (held, premature, gone or undone) and `checked_at` (a Firestore timestamp or an ISO 8601
 * time with a zone); `healed_at` defaults to the event's `timestamp`; the numbers and texts may be
 * missing or null. Anything else missing or mistyped makes the verdict unreadable. Pure.
 */
export function readPendingVerdict(documentId: string, data: DocumentData): RowRead<HealVerdictRow> {
  try {
    return { ok: true, row: toRow(documentId, data) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function toRow(documentId: string, data: DocumentData): HealVerdictRow {
  const healingId = data.healing_id ?? documentId;
  if (typeof healingId !== 'string' || healingId.trim() === '') throw new Error('healing_id is not a non-empty string');
  const healingType = data.healing_type;
  if (typeof healingType !== 'string' || healingType.trim() === '') throw new Error(`healing_type is ${describeValue(healingType)}, not a non-empty string`);
  const verdict: unknown = data[VERDICT_FIELD];
  if (typeof verdict !== 'object' || verdict === null || Object.getPrototypeOf(verdict) !== Object.prototype) {
    throw new Error(`verdict is ${describeValue(verdict)}, not a map`);
  }
  const map = verdict as Record<string, unknown>;
  return {
    healing_id: healingId,
    healing_type: healingType,
    verdict: kind(map.verdict),
    checked_at: readTimestamp(map.checked_at, 'verdict.checked_at'),
    healed_at: healedAt(map.healed_at, data.timestamp),
    stall_minutes: optionalNumber(map, 'stall_minutes'),
    late_players: optionalCount(map, 'late_players'),
    progress_after_minutes: optionalNumber(map, 'progress_after_minutes'),
    actor: optionalText(map, 'actor'),
    reason: optionalText(map, 'reason'),
  };
}

function kind(value: unknown): VerdictKind {
  if (typeof value === 'string' && (VERDICTS as readonly string[]).includes(value)) return value as VerdictKind;
  throw new Error(`verdict.verdict is ${describeValue(value)}, not one of ${VERDICTS.join(', ')}`);
}

function healedAt(value: unknown, eventTime: unknown): Date | null {
  if (value !== undefined && value !== null) return readTimestamp(value, 'verdict.healed_at');
  try {
    return readTimestamp(eventTime, 'timestamp');
  } catch {
    return null;
  }
}

function optionalNumber(map: Record<string, unknown>, field: string): number | null {
  const value = map[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`verdict.${field} is ${describeValue(value)}, not a number or null`);
  return value;
}

function optionalCount(map: Record<string, unknown>, field: string): number | null {
  const value = optionalNumber(map, field);
  if (value !== null && (!Number.isInteger(value) || value < 0)) throw new Error(`verdict.${field} is ${value}, not a whole number of at least 0`);
  return value;
}

function optionalText(map: Record<string, unknown>, field: string): string | null {
  const value = map[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`verdict.${field} is ${describeValue(value)}, not a string or null`);
  return value;
}
