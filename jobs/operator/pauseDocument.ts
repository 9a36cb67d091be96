import { describePause as describeAnyPause, type Pause } from '../control/healingControl.js';
import { shownTime } from './operatorOptions.js';

/** A pause as the commands print it in JSON. */
export function pauseJson(pause: Pause): Record<string, unknown> {
  return { reason: pause.reason, by: pause.by, at: pause.at?.toISOString() ?? null, until: pause.until?.toISOString() ?? null };
}

/** A pause in words as the commands print it: `by alice since 2026-11-22T10:00:00Z until 2026-11-22T11:30:00Z: deploying the worker fix`. */
export function describePause(pause: Pause): string {
  return describeAnyPause(pause, shownTime);
}
