import type { AnalysisRequest } from '../analysisRequest.js';
import { isoInZone, windowHours, type BucketPlan, type BucketSize, type TimeWindow } from '../timeWindow.js';
import { compareText, describeLength } from '../wording.js';
import type { AnalysisRow, Period } from './analysisQuery.js';
import { changesBetween, comparisonAdvice, type Change, type ComparedWindow } from './comparison.js';
import type { StallRecommendation } from '../../shared/stallRecommendation.js';
import { recommend, verdictAdvice, type TypeActivity } from './recommendations.js';
import { timeToHealOf, type TimeToHeal } from './timeToHeal.js';
import { stallRecommendationOf, verdictSummaries, type VerdictSummary } from './verdicts.js';

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

export interface Totals {
  events: number;
  successes: number;
  failures: number;
  success_rate: number | null;
}

/** The previous window of the same length, with `--compare`. */
export interface PreviousWindow {
  window: { start: string; end: string; tz: string };
  totals: Totals;
  by_type: TypeSummary[];
  top_causes: CauseSummary[];
  time_to_heal: TimeToHeal | null;
  verdicts: VerdictSummary[];
}

/** The analysis as `--format json` prints it; the table, the HTML page and the Slack digest are drawn from the same document. */
export interface HealingReport {
  window: { start: string; end: string; tz: string; bucket: BucketSize };
  filter: { healing_type: string | null };
  totals: Totals;
  by_type: TypeSummary[];
  top_causes: CauseSummary[];
  /** batch_cleanup only: minutes from the batch's last progress to its successful heal; null without heals. */
  time_to_heal: TimeToHeal | null;
  /** Per healing type that gets verdicts: how its successful heals of the window turned out. */
  verdicts: VerdictSummary[];
  /** batch_cleanup only: the STALL_MINUTES that would have avoided 90% of the premature heals; null with fewer than 3. */
  stall_recommendation: StallRecommendation | null;
  trend: TrendPoint[];
  /** Only with `--compare`. */
  previous?: PreviousWindow;
  /** Only with `--compare`: totals, each type and each top cause of either window, then and now. */
  changes?: Change[];
  recommendations: string[];
}

/**
 * Shapes the query's rows into the report: types by events then name, causes by rank, every bucket for
 * every type; with a previous window, its summary, the changes and what they mean.
 */
export function buildReport(request: AnalysisRequest, plan: BucketPlan, rows: readonly AnalysisRow[]): HealingReport {
  const { window } = request;
  const current = summarise(rows, 'current', request.top);
  const activity = current.typeRows.map(
    (row): TypeActivity => ({
      healing_type: row.healing_type!,
      events: row.events,
      failures: row.failures,
      earlier_events: row.events - (row.later_events ?? 0),
      later_events: row.later_events ?? 0,
      top_cause: causeSummaryOf(current.topCauseOf.get(row.healing_type!)),
    }),
  );
  const verdicts = verdictSummaries(rows, 'current', successesOf(current));
  const stallRecommendation = stallRecommendationOf(rows);
  const report: HealingReport = {
    window: { start: isoInZone(window.start, window.zone), end: isoInZone(window.end, window.zone), tz: window.zone, bucket: plan.size },
    filter: { healing_type: request.healingType ?? null },
    totals: current.totals,
    by_type: current.byType,
    top_causes: current.topCauses,
    time_to_heal: timeToHealOf(rows, 'current'),
    verdicts,
    stall_recommendation: stallRecommendation,
    trend: trend(plan, window.zone, current.byType, rows),
    recommendations: [...recommend(activity, windowHours(window)), ...verdictAdvice(verdicts, stallRecommendation)],
  };
  if (request.previousWindow === undefined) return report;

  const previous = summarise(rows, 'previous', request.top);
  report.previous = {
    window: windowText(request.previousWindow),
    totals: previous.totals,
    by_type: previous.byType,
    top_causes: previous.topCauses,
    time_to_heal: timeToHealOf(rows, 'previous'),
    verdicts: verdictSummaries(rows, 'previous', successesOf(previous)),
  };
  const compared = {
    previous: comparedWindow(previous, report.previous.time_to_heal, report.previous.verdicts),
    current: comparedWindow(current, report.time_to_heal, report.verdicts),
  };
  const changes = changesBetween(compared.previous, compared.current);
  const length = describeLength(window.end.diff(window.start).as('milliseconds'));
  const { recommendations, ...rest } = report;
  return { ...rest, changes, recommendations: [...recommendations, ...comparisonAdvice(changes, compared.previous, compared.current, length)] };
}

interface PeriodSummary {
  typeRows: AnalysisRow[];
  topCauseOf: Map<string, AnalysisRow>;
  totals: Totals;
  byType: TypeSummary[];
  topCauses: CauseSummary[];
  causeEvents: Map<string, number>;
}

function summarise(allRows: readonly AnalysisRow[], period: Period, top: number): PeriodSummary {
  const rows = allRows.filter((row) => row.period === period);
  const typeRows = rows
    .filter((row) => row.kind === 'type')
    .sort((a, b) => b.events - a.events || compareText(a.healing_type!, b.healing_type!));
  const topCauseOf = new Map(rows.filter((row) => row.kind === 'type_cause').map((row) => [row.healing_type!, row]));
  const byType = typeRows.map((row): TypeSummary => ({
    healing_type: row.healing_type!,
    ...counts(row.events, row.failures),
    top_cause: topCauseOf.get(row.healing_type!)?.cause ?? null,
  }));
  const causeRows = rows.filter((row) => row.kind === 'cause').sort((a, b) => a.position! - b.position!);
  return {
    typeRows,
    topCauseOf,
    totals: counts(sum(typeRows.map((row) => row.events)), sum(typeRows.map((row) => row.failures))),
    byType,
    topCauses: causeRows.filter((row) => row.position! <= top).map((row) => ({ cause: row.cause!, events: row.events, failures: row.failures })),
    causeEvents: new Map(causeRows.map((row) => [row.cause!, row.events])),
  };
}

function comparedWindow(summary: PeriodSummary, timeToHeal: TimeToHeal | null, verdicts: readonly VerdictSummary[]): ComparedWindow {
  return {
    events: summary.totals.events,
    types: new Map(summary.byType.map((type) => [type.healing_type, { events: type.events, failures: type.failures }])),
    topCauses: summary.topCauses.map((cause) => cause.cause),
    causeEvents: summary.causeEvents,
    timeToHeal,
    verdicts: new Map(verdicts.map((verdict) => [verdict.healing_type, { held: verdict.held, premature: verdict.premature }])),
  };
}

function successesOf(summary: PeriodSummary): Map<string, number> {
  return new Map(summary.byType.map((type) => [type.healing_type, type.successes]));
}

function windowText(window: TimeWindow): PreviousWindow['window'] {
  return { start: isoInZone(window.start, window.zone), end: isoInZone(window.end, window.zone), tz: window.zone };
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

function counts(events: number, failures: number): Totals {
  return { events, successes: events - failures, failures, success_rate: events === 0 ? null : (events - failures) / events };
}

function causeSummaryOf(row: AnalysisRow | undefined): TypeActivity['top_cause'] {
  return row?.cause == null ? null : { cause: row.cause, events: row.events };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
