import { HEALING_EVENT_COLUMNS } from '../../shared/healingEvent.js';
import type { AnalysisRequest } from '../analysisRequest.js';
import { windowFilter, type QueryStatement } from './analysisQuery.js';

/** Every event of the window, each healing_id once, all columns in schema order, oldest first. */
export function exportStatement(request: AnalysisRequest, tableSqlName: string): QueryStatement {
  const params: Record<string, string | Date> = { start: request.window.start.toJSDate(), end: request.window.end.toJSDate() };
  if (request.healingType !== undefined) params.healing_type = request.healingType;
  const query = `
SELECT ${HEALING_EVENT_COLUMNS.map((column) => `\`${column}\``).join(', ')}
FROM ${tableSqlName}
WHERE ${windowFilter(request)}
QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1
ORDER BY timestamp, healing_id`;
  return { query, params, types: {} };
}

/** A row as BigQuery's REST API sends it, before the client library turns it into objects. */
export interface RawRow {
  f: Array<{ v: string | null }>;
}

export interface ResultField {
  name: string;
  type?: string;
}

/**
 * Turns raw rows of a result with these fields into CSV fields in schema order: timestamps as
 * ISO 8601 UTC, booleans as true/false, JSON columns as their JSON text, null as empty.
 * Working on raw rows spares one object per row and keeps the export's memory flat.
 */
export function csvRecordReader(fields: readonly ResultField[]): (row: RawRow) => string[] {
  const plan = HEALING_EVENT_COLUMNS.map((column) => {
    const index = fields.findIndex((field) => field.name === column);
    if (index < 0) throw new Error(`the export query returned no ${column} column`);
    return { index, timestamp: fields[index]!.type === 'TIMESTAMP' };
  });
  return (row) =>
    plan.map(({ index, timestamp }) => {
      const value = row.f[index]?.v ?? null;
      if (value === null) return '';
      return timestamp ? timestampText(value) : value;
    });
}

/** BigQuery sends timestamps as microseconds since the epoch (or, in older formats, float seconds). */
export function timestampText(value: string): string {
  if (/^-?\d+$/.test(value)) {
    const micros = BigInt(value);
    let millis = micros / 1000n;
    if (micros < 0n && micros % 1000n !== 0n) millis -= 1n;
    const extraMicros = micros - millis * 1000n;
    const iso = new Date(Number(millis)).toISOString();
    return extraMicros === 0n ? iso : iso.replace(/Z$/, `${extraMicros.toString().padStart(3, '0')}Z`);
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : value;
}
