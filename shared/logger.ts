import { firstLineOf, logLine } from './logLine.js';

/** How much is logged, least severe first (`LOG_LEVEL`). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const SEVERITY: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Keys the logger writes itself; a field of the same name is kept as `field_<name>`. */
const RESERVED = new Set(['severity', 'message', 'time']);
/** Makes Error Reporting take a line without a stack trace as an error event (its "text message" form). */
export const REPORTED_ERROR_EVENT_TYPE = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';

/**
 * Fields of a log line. An `error` field holding a thrown value is written as its first line,
 * with its stack in `stack_trace`, the field Error Reporting reads first.
 */
export type LogFields = Record<string, unknown>;

/** Structured log lines that Cloud Logging reads: one JSON object a line with `severity` and `message`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Logs at severity CRITICAL whatever the level. */
  critical(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default standard output. */
  write?: (line: string) => void;
  /** Service named in `serviceContext` of lines that carry an error, so Error Reporting groups by it. Default none. */
  service?: string;
  /** Clock for the `time` field. Default the system clock. */
  now?: () => Date;
}

/**
 * The fields that report a thrown value to Error Reporting: `error` (its first line) and
 * `stack_trace` (V8's `error.stack`, the JavaScript form Error Reporting parses). A value without
 * a stack gets `@type` ReportedErrorEvent instead, so the line is still taken as an error event.
 */
export function errorFields(error: unknown): LogFields {
  const line = firstLineOf(error);
  const stack = error instanceof Error && typeof error.stack === 'string' && error.stack.includes('\n    at ') ? error.stack : undefined;
  return stack ? { error: line, stack_trace: stack } : { error: line, '@type': REPORTED_ERROR_EVENT_TYPE };
}

export function createLogger({ level = 'info', write = (line) => process.stdout.write(line), service, now = () => new Date() }: LoggerOptions = {}): Logger {
  const emit = (severity: string, message: string, fields: LogFields = {}) => {
    const entry: LogFields = { severity, message };
    for (const [key, value] of Object.entries(fields)) entry[RESERVED.has(key) ? `field_${key}` : key] = value;
    if ('error' in fields && typeof fields.error !== 'string') {
      const reported = errorFields(fields.error);
      Object.assign(entry, reported, 'stack_trace' in fields ? { stack_trace: fields.stack_trace, '@type': undefined } : {});
      if (service) entry.serviceContext = { service };
    }
    entry.time = now().toISOString();
    write(`${logLine(entry)}\n`);
  };
  const at = (lineLevel: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[lineLevel] >= RANK[level]) emit(SEVERITY[lineLevel], message, fields);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    critical: (message, fields) => emit('CRITICAL', message, fields),
  };
}

/** A logger that keeps its lines in memory, for tests and for reading back what was said. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level, write: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}
