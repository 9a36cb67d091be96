import type { BigQuery } from '@google-cloud/bigquery';
import type { AnalysisRow, AnalysisRowKind, Period, QueryStatement } from './analysisQuery.js';

/** Runs the analysis statement, one query, and returns its rows with plain numbers. */
export async function fetchAnalysisRows(bigquery: BigQuery, statement: QueryStatement): Promise<AnalysisRow[]> {
  const [rows] = await bigquery.query({ query: statement.query, params: statement.params, types: statement.types });
  return (rows as Array<Record<string, unknown>>).map((row) => ({
    kind: row.kind as AnalysisRowKind,
    period: row.period as Period,
    healing_type: nullableText(row.healing_type),
    cause: nullableText(row.cause),
    verdict: nullableText(row.verdict),
    position: nullableNumber(row.position),
    events: Number(row.events),
    failures: Number(row.failures),
    later_events: nullableNumber(row.later_events),
    late_players: nullableNumber(row.late_players),
    median_minutes: nullableNumber(row.median_minutes),
    p95_minutes: nullableNumber(row.p95_minutes),
    stall_minutes: nullableNumber(row.stall_minutes),
    progress_after_minutes: nullableNumber(row.progress_after_minutes),
  }));
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
