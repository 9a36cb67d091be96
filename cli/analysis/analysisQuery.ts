import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import type { AnalysisRequest } from '../analysisRequest.js';
import type { BucketPlan } from '../timeWindow.js';
import { causeSql } from './causeFingerprint.js';

/** A parameterised query: user values travel only in `params`. */
export interface QueryStatement {
  query: string;
  params: Record<string, string | Date>;
  types: Record<string, string>;
}

export type AnalysisRowKind = 'type' | 'type_cause' | 'cause' | 'trend' | 'time_to_heal';

/** `current` is the window asked for; `previous` the window of the same length just before it (with `--compare`). */
export type Period = 'current' | 'previous';

/**
 * One row of the analysis, for one period. `type`: per healing type, `later_events` counting the second
 * half of the window. `type_cause`: each type's most frequent cause. `cause`: every cause in the top
 * `--top` of either period, `position` its rank in this period. `trend`: events per type and bucket of the
 * current window, `position` the bucket's index in the plan. `time_to_heal`: successful batch_cleanup
 * heals with a readable last progress (`events`), minutes from it to the heal as median and p95.
 */
export interface AnalysisRow {
  kind: AnalysisRowKind;
  period: Period;
  healing_type: string | null;
  cause: string | null;
  position: number | null;
  events: number;
  failures: number;
  later_events: number | null;
  median_minutes: number | null;
  p95_minutes: number | null;
}

/**
 * The whole analysis as one query over the window's events (and the previous window's, with
 * `--compare`), each healing_id once. Rows returned: periods × (2 × types + 2 × top + 1) + types ×
 * buckets with events, whatever the number of events.
 */
export function analysisStatement(request: AnalysisRequest, plan: BucketPlan, tableSqlName: string): QueryStatement {
  const { window, previousWindow } = request;
  const midpoint = window.start.plus({ milliseconds: window.end.diff(window.start).as('milliseconds') / 2 });
  const params: Record<string, string | Date> = {
    range_start: (previousWindow ?? window).start.toJSDate(),
    start: window.start.toJSDate(),
    end: window.end.toJSDate(),
    midpoint: midpoint.toJSDate(),
    top: String(request.top),
    // Time to heal is measured on batch_cleanup heals: their before_state keeps the batch's last progress.
    time_to_heal_type: BATCH_CLEANUP,
  };
  const types: Record<string, string> = { top: 'INT64' };
  let bucket: string;
  if (plan.size === 'hour') {
    params.bucket_origin = plan.starts[0]!.toJSDate();
    bucket = 'DIV(TIMESTAMP_DIFF(timestamp, @bucket_origin, SECOND), 3600)';
  } else {
    params.tz = window.zone;
    bucket = 'DATE_DIFF(DATE(timestamp, @tz), DATE(@start, @tz), DAY)';
  }
  if (request.healingType !== undefined) params.healing_type = request.healingType;
  const noNumber = 'CAST(NULL AS FLOAT64), CAST(NULL AS FLOAT64)';
  const query = `
WITH window_events AS (
  SELECT healing_id, timestamp, healing_type, success, before_state, ${causeSql()} AS cause, ${bucket} AS bucket,
    IF(timestamp >= @start, 'current', 'previous') AS period
  FROM ${tableSqlName}
  WHERE ${windowFilter(request, 'range_start')}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1
),
causes AS (
  SELECT period, cause, COUNT(*) AS events, COUNTIF(NOT success) AS failures,
    ROW_NUMBER() OVER (PARTITION BY period ORDER BY COUNT(*) DESC, cause) AS position
  FROM window_events
  GROUP BY period, cause
),
type_causes AS (
  SELECT period, healing_type, cause, COUNT(*) AS events, COUNTIF(NOT success) AS failures,
    ROW_NUMBER() OVER (PARTITION BY period, healing_type ORDER BY COUNT(*) DESC, cause) AS position
  FROM window_events
  GROUP BY period, healing_type, cause
),
heal_minutes AS (
  SELECT period, TIMESTAMP_DIFF(timestamp, SAFE.TIMESTAMP(JSON_VALUE(before_state, '$.updated_at')), SECOND) / 60 AS minutes
  FROM window_events
  WHERE healing_type = @time_to_heal_type AND success
),
heal_quantiles AS (
  -- Sorted first: BigQuery ignores the order, but the goccy emulator's APPROX_QUANTILES takes its input as sorted.
  SELECT period, COUNT(*) AS heals, APPROX_QUANTILES(minutes, 100) AS quantiles
  FROM (SELECT period, minutes FROM heal_minutes WHERE minutes IS NOT NULL AND minutes >= 0 ORDER BY period, minutes)
  GROUP BY period
)
SELECT 'type' AS kind, period, healing_type, CAST(NULL AS STRING) AS cause, CAST(NULL AS INT64) AS position,
  COUNT(*) AS events, COUNTIF(NOT success) AS failures, COUNTIF(timestamp >= @midpoint) AS later_events,
  CAST(NULL AS FLOAT64) AS median_minutes, CAST(NULL AS FLOAT64) AS p95_minutes
FROM window_events
GROUP BY period, healing_type
UNION ALL
SELECT 'type_cause', period, healing_type, cause, position, events, failures, CAST(NULL AS INT64), ${noNumber}
FROM type_causes
WHERE position = 1
UNION ALL
SELECT 'cause', period, CAST(NULL AS STRING), cause, position, events, failures, CAST(NULL AS INT64), ${noNumber}
FROM causes
WHERE cause IN (SELECT cause FROM causes WHERE position <= @top)
UNION ALL
SELECT 'trend', period, healing_type, CAST(NULL AS STRING), bucket, COUNT(*), COUNTIF(NOT success), CAST(NULL AS INT64), ${noNumber}
FROM window_events
WHERE period = 'current'
GROUP BY period, healing_type, bucket
UNION ALL
SELECT 'time_to_heal', period, @time_to_heal_type, CAST(NULL AS STRING), CAST(NULL AS INT64), heals, 0, CAST(NULL AS INT64),
  quantiles[SAFE_OFFSET(50)], quantiles[SAFE_OFFSET(95)]
FROM heal_quantiles`;
  return { query, params, types };
}

/**
 * The filter both queries share: on the partition column, so BigQuery reads only the window's days,
 * and on the clustering column when a type is asked for.
 */
export function windowFilter(request: Pick<AnalysisRequest, 'healingType'>, startParameter = 'start'): string {
  const type = request.healingType === undefined ? '' : ' AND healing_type = @healing_type';
  return `timestamp >= @${startParameter} AND timestamp < @end${type}`;
}
