import type { AnalysisRequest } from './analysisRequest.js';
import type { AnalysisRow } from './analysisQuery.js';
import { recommend, type TypeActivity } from './recommendations.js';
import { isoInZone, windowHours, type BucketPlan, type BucketSize } from './timeWindow.js';

export interface TypeSummary {
  healing_type: string;
  events: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  /** The type's most frequent root cause. */
  top_cause: string | null;
}

export interface CauseSummary {
  cause: string;
  events: number;
  failures: number;
}

export interface TrendPoint {
  bucket_start: string;
  healing_type: string;
  events: number;
}

/** The analysis as `--format json` prints it; the table is drawn from the same document. */
export interface HealingReport {
  window: { start: string; end: string; tz: string; bucket: BucketSize };
  filter: { healing_type: string | null };
  totals: { events: number; successes: number; failures: number; success_rate: number | null };
  by_type: TypeSummary[];
  top_causes: CauseSummary[];
  trend: TrendPoint[];
  recommendations: string[];
}

/** Shapes the query's rows into the report: types by events then name, causes by rank, every bucket for every type. */
export function buildReport(request: AnalysisRequest, plan: BucketPlan, rows: readonly AnalysisRow[]): HealingReport {
  const { window } = request;
  const typeRows = rows
    .filter((row) => row.kind === 'type')
    .sort((a, b) => b.events - a.events || compareText(a.healing_type!, b.healing_type!));
  const topCauseOf = new Map(rows.filter((row) => row.kind === 'type_cause').map((row) => [row.healing_type!, row]));
  const byType = typeRows.map((row): TypeSummary => ({
    healing_type: row.healing_type!,
    ...counts(row.events, row.failures),
    top_cause: topCauseOf.get(row.healing_type!)?.cause ?? null,
  }));
  const events = sum(typeRows.map((row) => row.events));
  const failures = sum(typeRows.map((row) => row.failures));
  const activity = typeRows.map(
    (row): TypeActivity => ({
      healing_type: row.healing_type!,
      events: row.events,
      failures: row.failures,
      earlier_events: row.events - (row.later_events ?? 0),
      later_events: row.later_events ?? 0,
      top_cause: causeSummaryOf(topCauseOf.get(row.healing_type!)),
    }),
  );
  return {
    window: { start: isoInZone(window.start, window.zone), end: isoInZone(window.end, window.zone), tz: window.zone, bucket: plan.size },
    filter: { healing_type: request.healingType ?? null },
    totals: counts(events, failures),
    by_type: byType,
    top_causes: rows
      .filter((row) => row.kind === 'cause')
      .sort((a, b) => a.position! - b.position!)
      .map((row) => ({ cause: row.cause!, events: row.events, failures: row.failures })),
    trend: trend(plan, window.zone, byType, rows),
    recommendations: recommend(activity, windowHours(window)),
  };
}

function trend(plan: BucketPlan, zone: string, byType: readonly TypeSummary[], rows: readonly AnalysisRow[]): TrendPoint[] {
  const types = byType.map((type) => type.healing_type).sort(compareText);
  const counts = new Map<string, number>();
  for (const row of rows.filter((candidate) => candidate.kind === 'trend')) {
    if (row.position === null || row.position < 0 || row.position >= plan.starts.length) {
      throw new Error(`BigQuery returned trend bucket ${row.position}, outside the window's ${plan.starts.length} buckets`);
    }
    counts.set(`${row.position}\u0000${row.healing_type}`, row.events);
  }
  return plan.starts.flatMap((start, index) =>
    types.map((type) => ({ bucket_start: isoInZone(start, zone), healing_type: type, events: counts.get(`${index}\u0000${type}`) ?? 0 })),
  );
}

function counts(events: number, failures: number) {
  return { events, successes: events - failures, failures, success_rate: events === 0 ? null : (events - failures) / events };
}

function causeSummaryOf(row: AnalysisRow | undefined): TypeActivity['top_cause'] {
  return row?.cause == null ? null : { cause: row.cause, events: row.events };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Plain string order, the same on every machine (localeCompare depends on the locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
