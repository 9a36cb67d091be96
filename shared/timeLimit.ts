/** What `within` gives when the work has not settled in time. */
export const TIMED_OUT = Symbol('timed out');

/**
 * The work's result, or TIMED_OUT when it has not settled within `ms` (the work itself goes on).
 * With `unref`, the limit never keeps the process alive on its own.
 */
export async function within<T>(work: Promise<T>, ms: number, { unref = false } = {}): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    if (unref) timer.unref();
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** A signal that fires at a deadline or with another signal, and a way to let go of its timer. */
export interface DeadlineSignal {
  signal: AbortSignal;
  /** Stops the timer and the listening; call it when the work is done. */
  clear(): void;
}

/**
 * A signal that fires after `ms`, or as soon as one of `also` fires. Its timer and listeners hold
 * it strongly: `AbortSignal.any([AbortSignal.timeout(ms), ...])` holds its sources only weakly, so
 * the timeout signal can be garbage-collected before it fires and the deadline never comes.
 */
export function deadlineSignal(ms: number, ...also: AbortSignal[]): DeadlineSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`deadline of ${ms} ms reached`, 'TimeoutError')), Math.max(0, ms));
  const unlisten: Array<() => void> = [];
  for (const signal of also) {
    if (signal.aborted) controller.abort(signal.reason);
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    unlisten.push(() => signal.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      for (const stop of unlisten) stop();
    },
  };
}
