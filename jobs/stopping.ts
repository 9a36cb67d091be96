// Cloud Run sends SIGTERM at the task timeout or on cancel, and SIGKILL 10 s later. A stopped run
// keeps to this timeline, counted from the SIGTERM.

/** After SIGTERM, heals in flight and the export of what the run recorded get this long. */
export const STOP_GRACE_MS = 6_000;
/** After SIGTERM, the run logs its summary with what it knows by then and returns, whatever is still in flight. */
export const HARD_STOP_MS = 8_500;
/** After SIGTERM, the process exits by then, whatever the program is doing. */
export const LAST_RESORT_MS = 9_500;

/** The reason a stop signal carries: which signal came, and when. */
export class StopRequest extends Error {
  override name = 'StopRequest';

  constructor(
    readonly signal: string,
    readonly at: number = Date.now(),
  ) {
    super(`stopped by ${signal}`);
  }
}

/**
 * A signal that fires `ms` after `stop` fired: after the SIGTERM itself when `stop` carries a
 * StopRequest (a stop that came while the program was loading has already used some of the time).
 */
export function afterStop(stop: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const arm = () => {
    const since = stop.reason instanceof StopRequest ? Date.now() - stop.reason.at : 0;
    setTimeout(() => controller.abort(), Math.max(0, ms - since)).unref();
  };
  if (stop.aborted) arm();
  else stop.addEventListener('abort', arm, { once: true });
  return controller.signal;
}

/** Resolves when `signal` fires; never when it does not. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
