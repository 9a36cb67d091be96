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
