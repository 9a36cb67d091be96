import { fallback, handleWhen, type IDefaultPolicyContext } from 'cockatiel';
import { firstLine } from '../errorText.js';
import { errorCategory } from './errorCategory.js';
import type { HealingRecorder } from './HealingRecorder.js';
import { checkPolicyOptions, recordHeal } from './recordHeal.js';

export interface HealingFallbackOptions<F> {
  /** Where each heal is recorded. */
  recorder: Pick<HealingRecorder, 'record'>;
  /** The protected dependency, named in every event (`feature-store`). */
  name: string;
  /** Produces the value served instead of a failed call; it gets the call's error. */
  fallback: (error: unknown) => F | PromiseLike<F>;
  /** Which errors the fallback replaces; others reach the caller. Default every error. */
  shouldFallBack?: (error: unknown) => boolean;
}

export interface HealingFallback<F> {
  /** Runs `fn`; when it fails, resolves to the fallback's value instead (or rethrows the fallback's own error). */
  execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T | F>;
}

/** Marks a call cockatiel's fallback policy replaced; the caller's fallback then runs with the error. */
const FELL_BACK: unique symbol = Symbol('fell back');

/**
 * Serves a fallback value when the protected call fails, and records one `fallback` event each
 * time: success true when the fallback produced a value.
 */
export function healingFallback<F>(options: HealingFallbackOptions<F>): HealingFallback<F> {
  checkPolicyOptions('healingFallback', options);
  if (typeof options.fallback !== 'function') throw new TypeError('healingFallback needs a fallback function');
  const { recorder, name } = options;
  const policy = fallback<typeof FELL_BACK>(handleWhen(options.shouldFallBack ?? (() => true)), () => FELL_BACK);

  const heal = (error: unknown, fallbackError: { error: unknown } | null) => {
    const success = fallbackError === null;
    recordHeal(recorder, {
      healing_type: 'fallback',
      trigger_reason: `Call to ${name} failed: ${firstLine(error)}`,
      root_cause: errorCategory(error),
      action_taken: success
        ? `Served the fallback value instead of ${name}`
        : `Tried the fallback for ${name}; it failed too: ${firstLine(fallbackError.error)}`,
      before_state: { dependency: name, answering: false, error: firstLine(error) },
      after_state: success ? { dependency: name, served: 'fallback' } : { dependency: name, served: 'nothing', fallback_error: firstLine(fallbackError.error) },
      success,
      metadata: {
        policy: 'healingFallback',
        name,
        error: firstLine(error),
        ...(success ? {} : { fallback_error: firstLine(fallbackError.error) }),
      },
    });
  };

  return {
    async execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T | F> {
      let failure: unknown;
      const result = await policy.execute(async (context) => {
        try {
          return await fn(context);
        } catch (error) {
          failure = error;
          throw error;
        }
      }, signal);
      if (result !== FELL_BACK) return result as Awaited<T>;
      let value: F;
      try {
        value = await options.fallback(failure);
      } catch (fallbackError) {
        heal(failure, { error: fallbackError });
        throw fallbackError;
      }
      heal(failure, null);
      return value;
    },
  };
}
