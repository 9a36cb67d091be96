import { type DocumentData, Timestamp } from '@google-cloud/firestore';
import { describeValue, readTimestamp } from '../../shared/outbox/lenientValues.js';
import type { BatchNow, HealUnderReview } from './decideVerdict.js';

export type HealRead = { ok: true; heal: HealUnderReview } | { ok: false; reason: string };

/**
 * Reads a healing event document as a heal to review: its id, type, time, the batch it healed
 * (`metadata.batch_id`, `metadata.batch_collection`), and what it recorded of the batch
 * (`after_state.completed`, `before_state.stall_minutes`, either may be missing). The JSON fields
 * may be maps or JSON text, the time a Firestore timestamp or ISO 8601 text. Pure.
 */
export function readHeal(documentId: string, data: DocumentData): HealRead {
  try {
    const healingId = data.healing_id ?? documentId;
    if (typeof healingId !== 'string' || healingId === '') throw new Error('healing_id is not a non-empty string');
    const healingType = data.healing_type;
    if (typeof healingType !== 'string' || healingType === '') throw new Error(`healing_type is ${describeValue(healingType)}, not a non-empty string`);
    const metadata = jsonMap(data.metadata, 'metadata');
    return {
      ok: true,
      heal: {
        healingId,
        healingType,
        healedAt: readTimestamp(data.timestamp, 'timestamp'),
        completedAtHeal: count(jsonMap(data.after_state, 'after_state').completed),
        stallMinutes: minutes(jsonMap(data.before_state, 'before_state').stall_minutes),
        batchId: name(metadata.batch_id, 'metadata.batch_id'),
        batchCollection: name(metadata.batch_collection, 'metadata.batch_collection'),
      },
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Reads a batch document as the verdict needs it; null when it does not exist. Pure. */
export function readBatchNow(data: DocumentData | undefined): BatchNow | null {
  if (data === undefined) return null;
  return {
    completedPlayers: Array.isArray(data.completed_players) ? data.completed_players.length : null,
    updatedAt: data.updated_at instanceof Timestamp ? data.updated_at.toDate() : null,
    completionTime: data.completion_time instanceof Timestamp ? data.completion_time.toDate() : null,
    healingId: typeof data.healing_id === 'string' ? data.healing_id : null,
  };
}

function jsonMap(value: unknown, field: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`${field} is a string that is not JSON`);
    }
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${field} is ${describeValue(parsed)}, not a map`);
  return parsed as Record<string, unknown>;
}

/** A Firestore document or collection id: not empty, no `/`, not `.` or `..`, not `__…__`, at most 1,500 bytes. */
function name(value: unknown, field: string): string {
  const valid = typeof value === 'string' && value !== '' && !value.includes('/') && value !== '.' && value !== '..' && !/^__.*__$/.test(value) && Buffer.byteLength(value) <= 1500;
  if (!valid) throw new Error(`${field} is ${describeValue(value)}, not a document or collection id`);
  return value as string;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

function minutes(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
