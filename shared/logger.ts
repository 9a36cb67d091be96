import type { LogLevel } from './config.js';

const SEVERITY: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

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
}

export function createLogger({ level = 'info', write = (line) => process.stdout.write(line) }: LoggerOptions = {}): Logger {
  const emit = (severity: string, message: string, fields: LogFields = {}) => {
    write(`${JSON.stringify({ severity, message, ...fields, time: new Date().toISOString() })}\n`);
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
