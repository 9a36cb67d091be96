import { timeout, TimeoutStrategy } from 'cockatiel';
import { firstLine } from '../errorText.js';
import { numberOption } from '../numbers.js';
import { errorCategory } from './errorCategory.js';
import type { HealingRecorder } from './HealingRecorder.js';
import { checkPolicyOptions, recordHeal } from './recordHeal.js';

export interface HealingWatchdogOptions {
  /** Where each restart is recorded. */
  recorder: Pick<HealingRecorder, 'record'>;
  /** The watched worker, named in every event (`prediction-worker`). */
  name: string;
  /** Health check; it fails by throwing or resolving `false`. */
  check: () => boolean | void | PromiseLike<boolean | void>;
  /** Restarts the worker after failuresBeforeRestart failed checks in a row. */
  restart: () => unknown;
  /** Time between the end of one check and the start of the next. Default 30,000 ms. */
  intervalMs?: number;
  /** Failed checks in a row that trigger a restart. Default 3. */
  failuresBeforeRestart?: number;
  /** A check or restart still running after this long fails. Default intervalMs. */
  timeoutMs?: number;
}

export interface HealingWatchdog {
  /** Ends the checks; a restart not yet confirmed by a check is recorded as not confirmed. */
  stop(): Promise<void>;
  /** Restarts so far. */
  readonly restarts: number;
}

const CHECK_RETURNED_FALSE = 'health check returned false';

/**
 * Checks a worker every intervalMs; after failuresBeforeRestart failed checks in a row it calls
 * restart and records a `worker_restart` event, success true when the next check passes. Checks
 * and restarts run under cockatiel's timeout policy, so a hung check counts as failed. The timer
 * does not keep the process alive by itself.
 */
export function healingWatchdog(options: HealingWatchdogOptions): HealingWatchdog {
  checkPolicyOptions('healingWatchdog', options);
  if (typeof options.check !== 'function' || typeof options.restart !== 'function') {
    throw new TypeError('healingWatchdog needs check and restart functions');
  }
  const { recorder, name } = options;
  const intervalMs = numberOption(options.intervalMs, 'intervalMs', 30_000, { min: 1, whole: true });
  const failuresBeforeRestart = numberOption(options.failuresBeforeRestart, 'failuresBeforeRestart', 3, { min: 1, whole: true });
  const deadline = timeout(numberOption(options.timeoutMs, 'timeoutMs', intervalMs, { min: 1, whole: true }), TimeoutStrategy.Aggressive);

  let failures: unknown[] = [];
  let restarts = 0;
  let pending: { failures: unknown[]; restartMs: number } | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const heal = (cause: { failures: unknown[]; restartMs: number }, success: boolean, detail: Record<string, string>) => {
    const first = cause.failures[0];
    const last = cause.failures.at(-1);
    recordHeal(recorder, {
      healing_type: 'worker_restart',
      trigger_reason: `${name} failed ${cause.failures.length} health check(s) in a row: ${describe(last)}`,
      root_cause: first === CHECK_RETURNED_FALSE ? 'health_check_failed' : errorCategory(first),
      action_taken: `Restarted ${name}; ${detail.outcome}`,
      before_state: { worker: name, healthy: false, failed_checks: cause.failures.length },
      after_state: { worker: name, healthy: success, ...(detail.error === undefined ? {} : { error: detail.error }) },
      success,
      metadata: {
        policy: 'healingWatchdog',
        name,
        failures_before_restart: failuresBeforeRestart,
        interval_ms: intervalMs,
        check_errors: cause.failures.map(describe),
        restart_ms: cause.restartMs,
        restart_number: restarts,
      },
    });
  };

  const passes = async (): Promise<{ ok: true } | { ok: false; failure: unknown }> => {
    try {
      const healthy = await deadline.execute(() => options.check());
      return healthy === false ? { ok: false, failure: CHECK_RETURNED_FALSE } : { ok: true };
    } catch (error) {
      return { ok: false, failure: error };
    }
  };

  const round = async () => {
    const result = await passes();
    if (pending !== null) {
      heal(pending, result.ok, result.ok ? { outcome: 'the next health check passed' } : { outcome: 'the next health check failed too', error: describe(result.failure) });
      pending = null;
    }
    if (result.ok) {
      failures = [];
      return;
    }
    failures.push(result.failure);
    if (failures.length < failuresBeforeRestart) return;
    const cause = { failures, restartMs: 0 };
    failures = [];
    restarts += 1;
    const started = performance.now();
    try {
      await deadline.execute(() => options.restart());
      pending = { ...cause, restartMs: Math.round(performance.now() - started) };
    } catch (error) {
      heal({ ...cause, restartMs: Math.round(performance.now() - started) }, false, { outcome: `the restart failed: ${firstLine(error)}`, error: firstLine(error) });
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (pending !== null) {
        heal(pending, false, { outcome: 'the watchdog stopped before a health check confirmed it' });
        pending = null;
      }
    },
    get restarts() {
      return restarts;
    },
  };
}

function describe(failure: unknown): string {
  return failure === CHECK_RETURNED_FALSE ? CHECK_RETURNED_FALSE : firstLine(failure);
}
