import type { DateTime } from 'luxon';
import type { BucketPlan } from '../timeWindow.js';

/** A run of buckets of equal length: bucket `first + k` starts at `startMicros + k * stepMicros`. */
export interface BucketSegment {
  first: number;
  startMicros: number;
  stepMicros: number;
}

/**
 * The plan's buckets, of a window ending at `end`, as runs of equal length. Hourly buckets are one run;
 * daily buckets are one run per stretch between daylight-saving changes (the day of a change is 23 or
 * 25 hours long). The last bucket counts only up to the window's end.
 */
export function bucketSegments(plan: BucketPlan, end: DateTime): BucketSegment[] {
  const starts = plan.starts.map((start) => start.toMillis() * 1000);
  const ends = [...starts.slice(1), end.toMillis() * 1000];
  const length = (index: number) => ends[index]! - starts[index]!;
  const segments: BucketSegment[] = [];
  for (let first = 0; first < starts.length; ) {
    const stepMicros = first + 1 < starts.length ? length(first) : Math.max(length(first), 1);
    let next = first + 1;
    // The last bucket may end early with the window: it joins a run of longer buckets.
    while (next < starts.length && (length(next) === stepMicros || (next + 1 === starts.length && length(next) < stepMicros))) next += 1;
    segments.push({ first, startMicros: starts[first]!, stepMicros });
    first = next;
  }
  return segments;
}

/**
 * The bucket index of `microsColumn` (microseconds since the epoch, at or after the first bucket's
 * start) as integer arithmetic: one division per event instead of converting its timestamp to a
 * local date. Segment starts travel as INT64 parameters `bucket_start_<n>`.
 */
export function bucketSql(segments: readonly BucketSegment[], microsColumn: string): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let sql = '';
  segments.forEach((segment, index) => {
    const name = `bucket_start_${index}`;
    params[name] = String(segment.startMicros);
    const start = `@${name}`;
    const division = `DIV(${microsColumn} - ${start}, ${segment.stepMicros})`;
    const inSegment = segment.first === 0 ? division : `${segment.first} + ${division}`;
    sql = index === 0 ? inSegment : `IF(${microsColumn} >= ${start}, ${inSegment}, ${sql})`;
  });
  return { sql, params };
}
