import { handleWhen, retry, type IRetryContext } from 'cockatiel';
import { firstLine } from '../errorText.js';
import { numberOption } from '../numbers.js';
import { errorCategory } from './errorCategory.js';
import type { HealingRecorder } from './HealingRecorder.js';
import { jitterBackoff } from './jitterBackoff.js';
import { checkPolicyOptions, recordHeal } from './recordHeal.js';

export interface HealingRetryOptions {
  /** Where each heal is recorded. */
  recorder: Pick<HealingRecorder, 'record'>;
  /** The protected dependency, named in every event (`feature-store`). */
  name: string;
  /** Calls in all, the first included: 3 is one call and up to two retries. Default 3. */
  maxAttempts?: number;
  /** Delay before the first retry, before jitter; it doubles for each further retry. Default 200 ms. */
  initialDelayMs?: number;
  /** Longest delay between two attempts. Default 10,000 ms. */
  maxDelayMs?: number;
  /** Which errors are worth another attempt. Default every error. */
  shouldRetry?: (error: unknown) => boolean;
  /** Random numbers in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

export interface HealingRetry {
  /** Runs `fn`, again after a failure, up to maxAttempts calls; resolves to its value or rethrows its last error. */
  execute<T>(fn: (context: IRetryContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

/**
 * Retries with exponential backoff and jitter, and records one `retry` event for each execute that
 * needed a retry: success true when an attempt finally worked, false when it gave up.
 */
export function healingRetry(options: HealingRetryOptions): HealingRetry {
  checkPolicyOptions('healingRetry', options);
  const { recorder, name } = options;
  const maxAttempts = numberOption(options.maxAttempts, 'maxAttempts', 3, { min: 1, whole: true });
  const initialDelayMs = numberOption(options.initialDelayMs, 'initialDelayMs', 200, { min: 0, whole: true });
  const maxDelayMs = numberOption(options.maxDelayMs, 'maxDelayMs', 10_000, { min: 0, whole: true });
  const handler = handleWhen(options.shouldRetry ?? (() => true));
  const backoff = jitterBackoff(initialDelayMs, maxDelayMs, options.random ?? Math.random);

  return {
    async execute(fn, signal) {
      // One cockatiel policy per call: its onRetry then reports this call's delays only.
      const policy = retry(handler, { maxAttempts: maxAttempts - 1, backoff });
      const errors: unknown[] = [];
      const delays: number[] = [];
      let attempts = 0;
      policy.onRetry(({ delay }) => delays.push(delay));
      const started = performance.now();
      const heal = (success: boolean) => {
        const first = errors[0];
        const retries = attempts - 1;
        recordHeal(recorder, {
          healing_type: 'retry',
          trigger_reason: `Call to ${name} failed: ${firstLine(first)}`,
          root_cause: errorCategory(first),
          action_taken: success
            ? `Retried ${name} ${retries} time(s) with exponential backoff; attempt ${attempts} of ${maxAttempts} succeeded`
            : `Retried ${name} ${retries} time(s) with exponential backoff and gave up after ${attempts} of ${maxAttempts} attempts`,
          before_state: { dependency: name, answering: false, error: firstLine(first) },
          after_state: success
            ? { dependency: name, answering: true, attempts }
            : { dependency: name, answering: false, attempts, error: firstLine(errors.at(-1)) },
          success,
          metadata: {
            policy: 'healingRetry',
            name,
            attempts,
            max_attempts: maxAttempts,
            delays_ms: delays,
            errors: errors.map((error) => firstLine(error)),
            duration_ms: Math.round(performance.now() - started),
          },
        });
      };
      try {
        const value = await policy.execute(async (context) => {
          attempts += 1;
          try {
            return await fn(context);
          } catch (error) {
            errors.push(error);
            throw error;
          }
        }, signal);
        if (attempts > 1) heal(true);
        return value;
      } catch (error) {
        if (attempts > 1) heal(false);
        throw error;
      }
    },
  };
}
