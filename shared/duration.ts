const UNIT_MINUTES = { m: 1, h: 60, d: 1440, w: 10080 } as const;

/** The longest DURATION accepted: far more than any table keeps, short enough for every date library. */
export const MAX_DURATION_DAYS = 3660;

/** A DURATION that cannot be read; the message names the flag. `tooLong` tells a valid form past MAX_DURATION_DAYS. */
export class DurationError extends Error {
  override name = 'DurationError';

  constructor(
    message: string,
    readonly tooLong: boolean,
  ) {
    super(message);
  }
}

/** Reads a DURATION (`90m`, `24h`, `7d`, `2w`: a positive whole number and a unit) given to `flag` as minutes. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(amount) || amount < 1) {
    throw new DurationError(`${flag} must be a positive whole number followed by m, h, d or w (90m, 24h, 7d, 2w), got "${text}"`, false);
  }
  const minutes = amount * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES];
  if (minutes > MAX_DURATION_DAYS * 1440) throw new DurationError(`${flag} can be at most ${MAX_DURATION_DAYS} days, got "${text}"`, true);
  return minutes;
}
