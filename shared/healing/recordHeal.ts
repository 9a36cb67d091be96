import type { HealingEventInput } from '../healingEvent.js';
import type { HealingRecorder } from './HealingRecorder.js';

/** Records a policy's heal; a recorder that throws (a caller's own) never breaks the protected call. */
export function recordHeal(recorder: Pick<HealingRecorder, 'record'>, input: HealingEventInput): void {
  try {
    recorder.record(input);
  } catch {
    // Recording is best effort by contract: the caller's result matters more than the event.
  }
}

/** Checks the options every policy shares. */
export function checkPolicyOptions(policy: string, options: { recorder?: unknown; name?: unknown }): void {
  if (typeof (options.recorder as { record?: unknown } | undefined)?.record !== 'function') {
    throw new TypeError(`${policy} needs a recorder (createHealingRecorder())`);
  }
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new TypeError(`${policy} needs a name for the dependency it protects`);
  }
}
