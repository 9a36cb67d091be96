import { userInfo } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import { DurationError, parseDuration } from '../../shared/duration.js';
import { parsePositiveInteger } from '../../shared/numbers.js';

/** The longest reason kept: it goes into Firestore, the verdict row and the logs. */
export const MAX_REASON_LENGTH = 500;

/** `--reason TEXT`, required. */
export function reasonOption(description: string): Option {
  return new Option('--reason <text>', description).makeOptionMandatory().argParser((value: string) => {
    const reason = value.trim();
    if (reason === '') throw new InvalidArgumentError('--reason must say why, in a few words');
    if (reason.length > MAX_REASON_LENGTH) throw new InvalidArgumentError(`--reason can be at most ${MAX_REASON_LENGTH} characters, got ${reason.length}`);
    return reason;
  });
}

/** `--by NAME`: who acts; default the account at the terminal (see `actorName`). */
export function byOption(): Option {
  return new Option('--by <name>', 'who is acting, recorded with the change (default USER, else LOGNAME, else the OS account name)').argParser((value: string) => {
    const name = value.trim();
    if (name === '') throw new InvalidArgumentError('--by must name someone');
    return name;
  });
}

/** `--for DURATION` (90m, 6h, 2d, 1w), read as minutes. */
export function forOption(description: string): Option {
  return new Option('--for <duration>', description).argParser((value: string) => {
    try {
      return parseDuration(value, '--for');
    } catch (error) {
      if (error instanceof DurationError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  });
}

/** `--format table|json`. */
export function formatOption(): Option {
  return new Option('--format <format>', 'a line per item (table) or one JSON document on stdout (json)').choices(['table', 'json']).default('table');
}

/** Who acts when --by is not given: USER, else LOGNAME, else the operating-system account name. */
export function actorName(by: string | undefined, env: Record<string, string | undefined>): string {
  const named = [by, env.USER, env.LOGNAME].map((value) => value?.trim()).find((value) => value !== undefined && value !== '');
  if (named !== undefined) return named;
  try {
    return userInfo().username;
  } catch {
    // A container user without an entry in /etc/passwd has no name.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** A time for people: ISO 8601 in UTC, to the second. */
export function shownTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A positive whole number option (`--max 40`), with `fallback` when not given (none: undefined). */
export function positiveIntegerOption(flags: string, description: string, fallback?: number): Option {
  const name = flags.split(' ')[0]!;
  const option = new Option(flags, description);
  return (fallback === undefined ? option : option.default(fallback)).argParser((value: string) => {
    try {
      return parsePositiveInteger(value, name);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  });
}
