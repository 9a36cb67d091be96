import { DateTime } from 'luxon';
import { isoInZone, parseTime, planBuckets, type TimeWindow } from './timeWindow.js';

function window(start: string, end: string, zone: string): TimeWindow {
  return { start: parseTime(start, zone)!, end: parseTime(end, zone)!, zone };
}
const starts = (w: TimeWindow) => planBuckets(w).starts.map((start) => isoInZone(start, w.zone));

describe('time window', () => {
  it('counts per hour up to 48 hours and per day beyond', () => {
    expect(planBuckets(window('2026-03-01T00:00Z', '2026-03-03T00:00Z', 'UTC')).size).toBe('hour');
    expect(planBuckets(window('2026-03-01T00:00Z', '2026-03-03T00:01Z', 'UTC')).size).toBe('day');
  });

  it('starts the first hourly bucket at the local hour of the window start', () => {
    expect(starts(window('2026-03-01 10:30', '2026-03-01 13:00', 'UTC'))).toEqual([
      '2026-03-01T10:00:00Z',
      '2026-03-01T11:00:00Z',
      '2026-03-01T12:00:00Z',
    ]);
  });

  it('follows a half-hour offset zone for hourly buckets', () => {
    expect(starts(window('2026-03-01 10:15', '2026-03-01 12:00', 'Asia/Kolkata'))).toEqual([
      '2026-03-01T10:00:00+05:30',
      '2026-03-01T11:00:00+05:30',
    ]);
  });

  it('has 23 hourly buckets on the New York spring-forward day, skipping 02:00', () => {
    const buckets = starts(window('2026-03-08 00:00', '2026-03-09 00:00', 'America/New_York'));
    expect(buckets).toHaveLength(23);
    expect(buckets.slice(1, 4)).toEqual(['2026-03-08T01:00:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T04:00:00-04:00']);
  });

  it('has 25 hourly buckets on the New York fall-back day, 01:00 twice with different offsets', () => {
    const buckets = starts(window('2026-11-01 00:00', '2026-11-02 00:00', 'America/New_York'));
    expect(buckets).toHaveLength(25);
    expect(buckets.slice(1, 3)).toEqual(['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00']);
  });

  it('starts daily buckets at local midnight, across a daylight-saving change', () => {
    expect(starts(window('2026-03-06 15:00', '2026-03-10 00:00', 'America/New_York'))).toEqual([
      '2026-03-06T00:00:00-05:00',
      '2026-03-07T00:00:00-05:00',
      '2026-03-08T00:00:00-05:00',
      '2026-03-09T00:00:00-04:00',
    ]);
  });

  it('reads ISO 8601 with an offset as that instant whatever the zone', () => {
    expect(parseTime('2026-03-08T12:00:00+02:00', 'America/New_York')!.toUTC().toISO()).toBe('2026-03-08T10:00:00.000Z');
    expect(parseTime('08/03/2026', 'UTC')).toBeUndefined();
  });

  it('writes times with the zone offset and milliseconds only when present', () => {
    const time = DateTime.fromISO('2026-03-08T10:00:00.250Z');
    expect(isoInZone(time, 'Europe/Berlin')).toBe('2026-03-08T11:00:00.250+01:00');
    expect(isoInZone(time.startOf('second'), 'UTC')).toBe('2026-03-08T10:00:00Z');
  });
});
