import { HEALING_EVENT_COLUMNS } from '../shared/healingEvent.js';
import type { AnalysisRequest } from './analysisRequest.js';
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

/** A BigQuery row as CSV fields: timestamps in ISO 8601 UTC, booleans as true/false, JSON columns as their JSON text, null as empty. */
export function toCsvRecord(row: Record<string, unknown>): string[] {
  return HEALING_EVENT_COLUMNS.map((column) => csvField(row[column]));
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}
