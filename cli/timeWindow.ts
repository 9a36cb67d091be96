import { DateTime, IANAZone } from 'luxon';

/** The period analysed: start included, end excluded, both shown in `zone`. */
export interface TimeWindow {
  start: DateTime;
  end: DateTime;
  zone: string;
}

export type BucketSize = 'hour' | 'day';

/** Windows up to this many hours are counted per hour; longer ones per day. */
export const HOURLY_BUCKETS_UP_TO_HOURS = 48;

/** The trend's buckets: bucket `i` starts at `starts[i]`; the first may begin before the window does. */
export interface BucketPlan {
  size: BucketSize;
  starts: DateTime[];
}

const LOCAL_FORMAT = 'yyyy-MM-dd HH:mm';

export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Reads ISO 8601 or `YYYY-MM-DD HH:mm` in `zone`; an explicit offset in the text wins. Undefined when unparsable. */
export function parseTime(text: string, zone: string): DateTime | undefined {
  const trimmed = text.trim();
  const iso = DateTime.fromISO(trimmed, { zone });
  if (iso.isValid) return iso;
  const local = DateTime.fromFormat(trimmed, LOCAL_FORMAT, { zone });
  return local.isValid ? local : undefined;
}

export function windowHours(window: TimeWindow): number {
  return window.end.diff(window.start).as('hours');
}

/** Hourly buckets step by elapsed hours from the local hour of the start; daily ones start at each local midnight. */
export function planBuckets(window: TimeWindow): BucketPlan {
  const size: BucketSize = windowHours(window) <= HOURLY_BUCKETS_UP_TO_HOURS ? 'hour' : 'day';
  const origin = window.start.setZone(window.zone).startOf(size);
  const starts: DateTime[] = [];
  for (let index = 0; ; index++) {
    const start = bucketStart(origin, size, index);
    if (start >= window.end) break;
    starts.push(start);
  }
  return { size, starts };
}

function bucketStart(origin: DateTime, size: BucketSize, index: number): DateTime {
  return size === 'hour' ? origin.plus({ hours: index }) : origin.plus({ days: index }).startOf('day');
}

/** ISO 8601 with the zone's offset, milliseconds only when there are some. */
export function isoInZone(time: DateTime, zone: string): string {
  return time.setZone(zone).toISO({ suppressMilliseconds: true }) ?? time.toUTC().toISO()!;
}
