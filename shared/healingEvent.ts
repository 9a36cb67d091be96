import { createHash, randomUUID } from 'node:crypto';
import schema from '../schemas/healing_events.json' with { type: 'json' };
import { BATCH_CLEANUP } from './batchCleanup.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One healing action of any type, as both stores keep it. */
export interface HealingEvent {
  healing_id: string;
  timestamp: Date;
  healing_type: string;
  trigger_reason: string;
  root_cause: string | null;
  action_taken: string;
  before_state: JsonObject;
  after_state: JsonObject;
  success: boolean;
  metadata: JsonObject;
}

/** What a caller supplies; the id and time are filled in when missing. */
export type HealingEventInput = Omit<HealingEvent, 'healing_id' | 'timestamp' | 'root_cause' | (typeof JSON_COLUMNS)[number]> & {
  healing_id?: string;
  timestamp?: Date;
  root_cause?: string | null;
  before_state: Record<string, unknown>;
  after_state: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

/** A BigQuery row: JSON columns as JSON text, the timestamp as ISO 8601. */
export type HealingEventRow = Record<(typeof HEALING_EVENT_COLUMNS)[number], string | boolean | null>;

/** The table's columns in schema order (the CSV export's header). */
export const HEALING_EVENT_COLUMNS = schema.map((field) => field.name) as readonly string[];
export const JSON_COLUMNS = ['before_state', 'after_state', 'metadata'] as const;

export function createHealingEvent(input: HealingEventInput, now: Date = new Date()): HealingEvent {
  for (const field of ['healing_type', 'trigger_reason', 'action_taken'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      throw new TypeError(`healing event needs a non-empty ${field}`);
    }
  }
  const healingId = input.healing_id ?? generatedId(input.healing_type);
  if (healingId.includes('/') || healingId.length > 128) {
    throw new TypeError(`healing_id must be at most 128 characters without "/": ${healingId}`);
  }
  return {
    healing_id: healingId,
    timestamp: input.timestamp ?? now,
    healing_type: input.healing_type,
    trigger_reason: input.trigger_reason,
    root_cause: input.root_cause ?? null,
    action_taken: input.action_taken,
    before_state: toJsonObject(input.before_state, 'before_state'),
    after_state: toJsonObject(input.after_state, 'after_state'),
    success: input.success,
    metadata: toJsonObject(input.metadata, 'metadata'),
  };
}

/** A new id that names its type: the type (cut to 64 safe characters) and a random UUID. */
function generatedId(healingType: string): string {
  return `${healingType.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64)}-${randomUUID()}`;
}

/** The id of a batch_cleanup heal: the same batch at the same last update always gets the same id. */
export function batchCleanupHealingId(batchId: string, updatedAt: Date): string {
  const digest = createHash('sha256').update(`${batchId}\u0000${updatedAt.toISOString()}`).digest('hex');
  return `${BATCH_CLEANUP}-${digest.slice(0, 32)}`;
}

export function toBigQueryRow(event: HealingEvent): HealingEventRow {
  return {
    healing_id: event.healing_id,
    timestamp: event.timestamp.toISOString(),
    healing_type: event.healing_type,
    trigger_reason: event.trigger_reason,
    action_taken: event.action_taken,
    before_state: JSON.stringify(event.before_state),
    after_state: JSON.stringify(event.after_state),
    success: event.success,
    metadata: JSON.stringify(event.metadata),
    root_cause: event.root_cause,
  };
}

/** Round-trips through JSON so only plain JSON values remain (dates become ISO strings, undefined goes). */
function toJsonObject(value: unknown, field: string): JsonObject {
  if (value === undefined || value === null) return {};
  const json = JSON.parse(JSON.stringify(value)) as JsonValue;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError(`healing event ${field} must be an object`);
  }
  return json;
}
