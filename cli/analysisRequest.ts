import { DateTime } from 'luxon';
import { parsePositiveInteger } from '../shared/numbers.js';
import { DurationError, MAX_DURATION_DAYS, parseDuration } from '../shared/duration.js';
import { UsageError } from '../shared/exitCodes.js';
import { isKnownZone, parseTime, type TimeWindow } from './timeWindow.js';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export const DEFAULT_WINDOW_HOURS = 24;
export const DEFAULT_TOP = 5;
export const DEFAULT_ZONE = 'UTC';

/** The flags as typed, before any checking. */
export interface CommandLineOptions {
  /** Window start, ISO 8601 or `YYYY-MM-DD HH:mm` in `tz`. Default: 24 hours before the end. */
  start?: string;
  /** Window end (excluded), same forms. Default: now. */
  end?: string;
  /** Only this healing type. Default: every type. */
  type?: string;
  /** IANA zone for reading and showing times and for daily buckets. Default `UTC`. */
  tz?: string;
  /** How many root causes to list. Default 5. */
  top?: string;
  /** `table` for people, `json` for programs. Default `table`. */
  format?: string;
  /** CSV file to write every event of the window to. Default: no export. */
  export?: string;
  /** A window ending now, `90m`, `24h`, `7d` or `2w`; not with `start` or `end`. Default: unset. */
  last?: string;
  /** Also analyse the previous window of the same length and show the changes. Default false. */
  compare?: boolean;
  /** HTML file to write the report to, charts included. Default: no page. */
  html?: string;
  /** Post the report to SLACK_WEBHOOK_URL as a digest. Default false. */
  slack?: boolean;
}

/** A checked request: what to analyse and how to show it. */
export interface AnalysisRequest {
  window: TimeWindow;
  healingType: string | undefined;
  top: number;
  format: OutputFormat;
  exportPath: string | undefined;
  /** The window just before `window`, of the same length, when `--compare` asks for it. */
  previousWindow: TimeWindow | undefined;
  htmlPath: string | undefined;
  slack: boolean;
}

/** Checks every flag; the first bad one throws a UsageError naming it. */
export function toAnalysisRequest(options: CommandLineOptions, now: Date): AnalysisRequest {
  const zone = options.tz?.trim() || DEFAULT_ZONE;
  if (!isKnownZone(zone)) {
    throw new UsageError(`--tz "${options.tz}" is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`);
  }
  if (options.last !== undefined && (options.start !== undefined || options.end !== undefined)) {
    throw new UsageError(`--last cannot be combined with ${options.start !== undefined ? '--start' : '--end'}; give either --last or --start/--end`);
  }
  const end = options.end === undefined ? DateTime.fromJSDate(now, { zone }) : time(options.end, '--end', zone);
  const start =
    options.last !== undefined
      ? end.minus({ minutes: last(options.last) })
      : options.start === undefined
        ? end.minus({ hours: DEFAULT_WINDOW_HOURS })
        : time(options.start, '--start', zone);
  if (start >= end) {
    const endName = options.end === undefined ? 'now' : '--end';
    throw new UsageError(`--start (${start.toISO()}) must be before ${endName} (${end.toISO()})`);
  }
  return {
    window: { start, end, zone },
    healingType: healingType(options.type),
    top: options.top === undefined ? DEFAULT_TOP : top(options.top),
    format: format(options.format),
    exportPath: filePath(options.export, '--export'),
    previousWindow: options.compare === true ? { start: start.minus(end.diff(start)), end: start, zone } : undefined,
    htmlPath: filePath(options.html, '--html'),
    slack: options.slack === true,
  };
}

function time(text: string, flag: string, zone: string): DateTime {
  const parsed = parseTime(text, zone);
  if (parsed === undefined) {
    throw new UsageError(`${flag} "${text}" is not a date; use ISO 8601 (2026-03-08T14:00) or "2026-03-08 14:00"`);
  }
  return parsed.setZone(zone);
}

function last(text: string): number {
  try {
    return parseDuration(text, '--last');
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw new UsageError(error.tooLong ? `--last can reach back at most ${MAX_DURATION_DAYS} days, got "${text}"` : error.message);
  }
}

function top(text: string): number {
  try {
    return parsePositiveInteger(text, '--top');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function format(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  const chosen = OUTPUT_FORMATS.find((known) => known === text.trim().toLowerCase());
  if (chosen === undefined) throw new UsageError(`--format must be ${OUTPUT_FORMATS.join(' or ')}, got "${text}"`);
  return chosen;
}

function healingType(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError('--type must name a healing type, got an empty value');
  return text;
}

function filePath(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError(`${flag} must name a file, got an empty value`);
  return text;
}
