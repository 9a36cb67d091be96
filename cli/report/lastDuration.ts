import { UsageError } from '../../shared/exitCodes.js';

const UNIT_MINUTES = { m: 1, h: 60, d: 1440, w: 10080 } as const;

/** The longest `--last` accepted: far more than any table keeps, short enough for every date library. */
export const MAX_LAST_DAYS = 3660;

/** Reads `--last` (`90m`, `24h`, `7d`, `2w`: a positive whole number and a unit) as minutes. */
export function parseLastDuration(text: string): number {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(amount) || amount < 1) {
    throw new UsageError(`--last must be a positive whole number followed by m, h, d or w (90m, 24h, 7d, 2w), got "${text}"`);
  }
  const minutes = amount * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES];
  if (minutes > MAX_LAST_DAYS * 1440) throw new UsageError(`--last can reach back at most ${MAX_LAST_DAYS} days, got "${text}"`);
  return minutes;
}

/** A window length for sentences: `90 minutes`, `24 hours`, `7 days`. */
export function describeLength(milliseconds: number): string {
  const minutes = Math.round(milliseconds / 60_000);
  if (minutes % 1440 === 0 && minutes >= 2880) return `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}
