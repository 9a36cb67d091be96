import { UsageError } from './exitCodes.js';

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
