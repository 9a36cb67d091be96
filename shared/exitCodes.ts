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
