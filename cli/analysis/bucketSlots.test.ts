import { toAnalysisRequest } from '../analysisRequest.js';
import { planBuckets } from '../timeWindow.js';
import { bucketSegments, bucketSql, type BucketSegment } from './bucketSlots.js';

/** The SQL's arithmetic, evaluated here: the last segment started at or before the instant. */
function bucketBySegments(segments: readonly BucketSegment[], micros: number): number {
  const segment = [...segments].reverse().find((candidate) => micros >= candidate.startMicros)!;
  return segment.first + Math.trunc((micros - segment.startMicros) / segment.stepMicros);
}

/** The plan's own answer: the last bucket starting at or before the instant. */
function bucketByPlan(starts: readonly number[], micros: number): number {
  return starts.filter((start) => start <= micros).length - 1;
}

describe('bucket of an event as integer arithmetic', () => {
  it.each([
    ['a New York week across the spring-forward change', '2026-03-05', '2026-03-12', 'America/New_York'],
    ['New York days ending the day after the change', '2026-03-01', '2026-03-10', 'America/New_York'],
    ['New York days ending the day after the autumn change', '2026-10-25', '2026-11-03', 'America/New_York'],
    ['New York days ending on the long day', '2026-10-25', '2026-11-01 23:30', 'America/New_York'],
    ['a Berlin month across the autumn change', '2026-10-10', '2026-11-10', 'Europe/Berlin'],
    ['Lord Howe Island, whose clocks move by half an hour', '2026-09-25', '2026-10-10', 'Australia/Lord_Howe'],
    ['a Santiago window, where the day of the change starts at 01:00', '2026-09-01', '2026-09-15', 'America/Santiago'],
    ['a day in hours from a half-past start', '2026-03-08 00:30', '2026-03-09 00:00', 'America/New_York'],
  ])('puts every minute of %s in the plan bucket it starts in', (_name, start, end, tz) => {
    const { window } = toAnalysisRequest({ start, end, tz }, new Date());
    const plan = planBuckets(window);
    const starts = plan.starts.map((bucket) => bucket.toMillis() * 1000);
    const segments = bucketSegments(plan, window.end);
    for (let minute = window.start.toMillis() * 1000; minute < window.end.toMillis() * 1000; minute += 60_000_000) {
      expect([minute, bucketBySegments(segments, minute)]).toEqual([minute, bucketByPlan(starts, minute)]);
    }
  });

  it('needs one segment for hours and for days without a clock change, one more per change', () => {
    const segments = (start: string, end: string) => {
      const { window } = toAnalysisRequest({ start, end, tz: 'America/New_York' }, new Date());
      return bucketSegments(planBuckets(window), window.end);
    };
    expect(segments('2026-03-08 00:00', '2026-03-09 00:00')).toHaveLength(1);
    expect(segments('2026-05-01', '2026-05-31 12:00')).toHaveLength(1);
    expect(segments('2026-03-01', '2026-03-31')).toHaveLength(3);
  });

  it('writes the segment starts as parameters and the newest segment first', () => {
    const segments: BucketSegment[] = [
      { first: 0, startMicros: 1_000, stepMicros: 86_400_000_000 },
      { first: 3, startMicros: 9_000, stepMicros: 82_800_000_000 },
    ];
    expect(bucketSql(segments, 'micros')).toEqual({
      sql: 'IF(micros >= @bucket_start_1, 3 + DIV(micros - @bucket_start_1, 82800000000), DIV(micros - @bucket_start_0, 86400000000))',
      params: { bucket_start_0: '1000', bucket_start_1: '9000' },
    });
  });
});
