import { type HealingEvent, toBigQueryRow } from '../healingEvent.js';
import { EVENT_FIELDS, EXPORTED_FIELD } from './eventDocument.js';
import type { OutboxStream } from './OutboxStream.js';
import { readPendingEvent } from './pendingEvent.js';

/** Healing events, exported to the events table (`HEALING_TABLE`); the insert id is the healing_id. */
export const eventStream: OutboxStream<HealingEvent> = {
  noun: 'healing event',
  fields: EVENT_FIELDS,
  read(documentId, data) {
    const read = readPendingEvent(documentId, data);
    return read.ok ? { ok: true, row: read.event } : { ok: false, reason: `not a readable healing event: ${read.reason}` };
  },
  holds: (data) => data[EXPORTED_FIELD] === false,
  documentId: (event) => event.healing_id,
  insertId: (event) => event.healing_id,
  toJson: (event) => toBigQueryRow(event),
  healingType: (event) => event.healing_type,
  /** By healing_id, within the partitions of the events' timestamps. */
  lookup(events, table) {
    const times = events.map((event) => event.timestamp.getTime());
    return {
      sql: `SELECT healing_id FROM ${table} WHERE timestamp BETWEEN @first AND @last AND healing_id IN UNNEST(@ids)`,
      parameters: [
        { name: 'first', type: 'TIMESTAMP', value: new Date(Math.min(...times)).toISOString() },
        { name: 'last', type: 'TIMESTAMP', value: new Date(Math.max(...times)).toISOString() },
        { name: 'ids', type: 'ARRAY<STRING>', value: events.map((event) => event.healing_id) },
      ],
    };
  },
  key: (event) => event.healing_id,
  foundKey: ([healingId]) => String(healingId),
};
