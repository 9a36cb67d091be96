import { DateTime } from 'luxon';

/** `1,234`: a count as people read it, the same on every machine. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `88.9%`: a rate from 0 to 1, to one decimal. */
export function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** `36 h` below two days, `7 days` from there. */
export function span(hours: number): string {
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

/** `12.5 min`, `3 h 05 min` past two hours, `2.1 days` past two days. */
export function describeMinutes(minutes: number): string {
  if (minutes < 120) return `${Number(minutes.toFixed(1))} min`;
  if (minutes < 2880) return `${Math.floor(minutes / 60)} h ${String(Math.round(minutes % 60)).padStart(2, '0')} min`;
  return `${Number((minutes / 1440).toFixed(1))} days`;
}

/** A window length for sentences: `90 minutes`, `24 hours`, `7 days`. */
export function describeLength(milliseconds: number): string {
  const minutes = Math.round(milliseconds / 60_000);
  if (minutes % 1440 === 0 && minutes >= 2880) return `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

/** A count's change against the previous window: `+4 (+40.0%)`, `-6 (-50.0%)`, `+3 (new)`, `0`. */
export function changeText(item: { change: number; change_pct: number | null }): string {
  if (item.change === 0) return '0';
  const sign = item.change > 0 ? '+' : '-';
  const pct = item.change_pct === null ? 'new' : `${sign}${Math.abs(item.change_pct).toFixed(1)}%`;
  return `${sign}${count(Math.abs(item.change))} (${pct})`;
}

/** `2026-03-08 14:00`: an ISO 8601 time as a clock in `zone` shows it, to the minute. */
export function shortTime(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** Plain string order, the same on every machine (localeCompare depends on the locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
