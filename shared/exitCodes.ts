import { ConfigError } from './config.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Raised for bad command-line input; programs exit 2 on it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Maps an error to the spec's exit code: 2 for usage or configuration, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigError || error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
}

/** The first line of an error's message (or of the value itself), trimmed, cut with an ellipsis past `maxLength` characters. */
export function firstLine(error: unknown, maxLength = 200): string {
  const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : String(error);
  const line = (message.split('\n')[0] ?? '').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** One line for stderr; the stack only when LOG_LEVEL=debug. */
export function describeError(error: unknown, env: Record<string, string | undefined> = process.env): string {
  if (env.LOG_LEVEL?.toLowerCase() === 'debug' && error instanceof Error && error.stack) return error.stack;
  return firstLine(error, Number.POSITIVE_INFINITY);
}
