import { circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitState, type IDefaultPolicyContext } from 'cockatiel';
import { firstLine } from '../errorText.js';
import { numberOption } from '../numbers.js';
import { errorCategory } from './errorCategory.js';
import type { HealingRecorder } from './HealingRecorder.js';
import { checkPolicyOptions, recordHeal } from './recordHeal.js';

export interface HealingCircuitBreakerOptions {
  /** Where each heal is recorded. */
  recorder: Pick<HealingRecorder, 'record'>;
  /** The protected dependency, named in every event (`feature-store`). */
  name: string;
  /** Failed calls in a row that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before it lets one trial call through. Default 30,000 ms. */
  halfOpenAfterMs?: number;
  /** Which errors count as failures of the dependency. Default every error. */
  isFailure?: (error: unknown) => boolean;
  /** Clock for the open time the events report. Default `Date.now`. */
  now?: () => number;
}

export interface HealingCircuitBreaker {
  /** Runs `fn` unless the breaker is open; an open breaker rejects with cockatiel's BrokenCircuitError without calling `fn`. */
  execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
  /** closed, open, half-open or isolated (cockatiel's CircuitState). */
  readonly state: CircuitState;
}

/**
 * Cockatiel's circuit breaker (consecutive failures open it; after halfOpenAfterMs one trial call
 * goes through). Records one `circuit_breaker_reset` event each time an open breaker is tried
 * again: success true when the trial closes it, false when it opens again.
 */
export function healingCircuitBreaker(options: HealingCircuitBreakerOptions): HealingCircuitBreaker {
  checkPolicyOptions('healingCircuitBreaker', options);
  const { recorder, name } = options;
  const failureThreshold = numberOption(options.failureThreshold, 'failureThreshold', 5, { min: 1, whole: true });
  const halfOpenAfterMs = numberOption(options.halfOpenAfterMs, 'halfOpenAfterMs', 30_000, { min: 0, whole: true });
  const now = options.now ?? Date.now;
  const policy = circuitBreaker(handleWhen(options.isFailure ?? (() => true)), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(failureThreshold),
  });

  let opening: { at: number; error: unknown; reopenings: number } | null = null;
  let trialStarted: number | null = null;

  const heal = (success: boolean, trialError: unknown) => {
    if (opening === null || trialStarted === null) return;
    const openMs = Math.max(0, trialStarted - opening.at);
    const category = errorCategory(opening.error);
    recordHeal(recorder, {
      healing_type: 'circuit_breaker_reset',
      trigger_reason:
        opening.reopenings === 0
          ? `Circuit breaker for ${name} opened after ${failureThreshold} failed calls in a row (${firstLine(opening.error)}) and was tried again after ${seconds(openMs)}`
          : `Circuit breaker for ${name} opened again after a failed trial (${firstLine(opening.error)}) and was tried again after ${seconds(openMs)}`,
      root_cause: category,
      action_taken: success
        ? `Let a trial call through to ${name}; it succeeded and the breaker closed`
        : `Let a trial call through to ${name}; it failed (${errorCategory(trialError)}) and the breaker opened again`,
      before_state: { dependency: name, circuit: 'open', opened_at: new Date(opening.at).toISOString(), open_ms: openMs },
      after_state: success ? { dependency: name, circuit: 'closed' } : { dependency: name, circuit: 'open', error: firstLine(trialError) },
      success,
      metadata: {
        policy: 'healingCircuitBreaker',
        name,
        failure_threshold: failureThreshold,
        half_open_after_ms: halfOpenAfterMs,
        open_ms: openMs,
        opening_error: firstLine(opening.error),
        failed_trials_before: opening.reopenings,
        ...(success ? {} : { trial_error: firstLine(trialError) }),
      },
    });
  };

  policy.onHalfOpen(() => {
    trialStarted = now();
  });
  policy.onBreak((reason) => {
    const error = 'error' in reason ? reason.error : new Error('isolated');
    if (trialStarted !== null && opening !== null) {
      heal(false, error);
      opening = { at: now(), error: opening.error, reopenings: opening.reopenings + 1 };
    } else {
      opening = { at: now(), error, reopenings: 0 };
    }
    trialStarted = null;
  });
  policy.onReset(() => {
    heal(true, undefined);
    opening = null;
    trialStarted = null;
  });

  return {
    execute: (fn, signal) => policy.execute(fn, signal),
    get state() {
      return policy.state;
    },
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
