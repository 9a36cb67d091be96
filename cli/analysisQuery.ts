import type { AnalysisRequest } from './analysisRequest.js';
import { causeSql } from './causeFingerprint.js';
import type { BucketPlan } from './timeWindow.js';

/** A parameterised query: user values travel only in `params`. */
export interface QueryStatement {
  query: string;
  params: Record<string, string | Date>;
  types: Record<string, string>;
}

export type AnalysisRowKind = 'type' | 'type_cause' | 'cause' | 'trend';

/**
 * One row of the analysis. `type`: per healing type, `later_events` counting the second half of the
 * window. `type_cause`: each type's most frequent cause. `cause`: the top causes, `position` their rank.
 * `trend`: events per type and bucket, `position` the bucket's index in the plan.
 */
export interface AnalysisRow {
  kind: AnalysisRowKind;
  healing_type: string | null;
  cause: string | null;
  position: number | null;
  events: number;
  failures: number;
  later_events: number | null;
}

/**
 * The whole analysis as one query over the window's events, each healing_id once. Rows returned:
 * types × (2 + buckets with events) + top, whatever the number of events.
 */
export function analysisStatement(request: AnalysisRequest, plan: BucketPlan, tableSqlName: string): QueryStatement {
  const { window } = request;
  const midpoint = window.start.plus({ milliseconds: window.end.diff(window.start).as('milliseconds') / 2 });
  const params: Record<string, string | Date> = {
    start: window.start.toJSDate(),
    end: window.end.toJSDate(),
    midpoint: midpoint.toJSDate(),
    top: String(request.top),
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
  const query = `
WITH window_events AS (
  SELECT healing_id, timestamp, healing_type, success, ${causeSql()} AS cause, ${bucket} AS bucket
  FROM ${tableSqlName}
  WHERE ${windowFilter(request)}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1
),
causes AS (
  SELECT cause, COUNT(*) AS events, COUNTIF(NOT success) AS failures,
    ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, cause) AS position
  FROM window_events
  GROUP BY cause
),
type_causes AS (
  SELECT healing_type, cause, COUNT(*) AS events, COUNTIF(NOT success) AS failures,
    ROW_NUMBER() OVER (PARTITION BY healing_type ORDER BY COUNT(*) DESC, cause) AS position
  FROM window_events
  GROUP BY healing_type, cause
)
SELECT 'type' AS kind, healing_type, CAST(NULL AS STRING) AS cause, CAST(NULL AS INT64) AS position,
  COUNT(*) AS events, COUNTIF(NOT success) AS failures, COUNTIF(timestamp >= @midpoint) AS later_events
FROM window_events
GROUP BY healing_type
UNION ALL
SELECT 'type_cause', healing_type, cause, position, events, failures, CAST(NULL AS INT64)
FROM type_causes
WHERE position = 1
UNION ALL
SELECT 'cause', CAST(NULL AS STRING), cause, position, events, failures, CAST(NULL AS INT64)
FROM causes
WHERE position <= @top
UNION ALL
SELECT 'trend', healing_type, CAST(NULL AS STRING), bucket, COUNT(*), COUNTIF(NOT success), CAST(NULL AS INT64)
FROM window_events
GROUP BY healing_type, bucket`;
  return { query, params, types };
}

/**
 * The filter both queries share: on the partition column, so BigQuery reads only the window's days,
 * and on the clustering column when a type is asked for.
 */
export function windowFilter(request: Pick<AnalysisRequest, 'healingType'>): string {
  const type = request.healingType === undefined ? '' : ' AND healing_type = @healing_type';
  return `timestamp >= @start AND timestamp < @end${type}`;
}
