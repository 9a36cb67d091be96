import type { JobConfig } from '../shared/config.js';
import { describeError } from '../shared/errorText.js';
import { isAccessDenied, isUnreachable } from '../shared/firestoreErrors.js';
import type { Logger } from '../shared/logger.js';
import { TIMED_OUT, within } from '../shared/timeLimit.js';

/** How long closing the clients may take once the work is done. */
const CLOSE_TIMEOUT_MS = 5_000;

/** One line saying what failed and what to check. */
export function explainFailure(error: unknown, config: JobConfig, env: Record<string, string | undefined>): string {
  const line = describeError(error, env);
  const firestore = config.firestoreEmulatorHost === undefined ? 'Firestore' : `the Firestore emulator at ${config.firestoreEmulatorHost}`;
  if (isUnreachable(error)) return `${firestore} did not answer; check that it is running and reachable (${line})`;
  if (isAccessDenied(error)) return `${firestore} refused access for project ${config.projectId}; check the job's service account roles (${line})`;
  return line;
}

/** Closes the Firestore client after the work it carries; a client that does not close in time is left to the process exit. */
export async function closeQuietly(firestore: { terminate(): Promise<void> }, logger: Logger): Promise<void> {
  const closed = await within(firestore.terminate().catch(() => undefined), CLOSE_TIMEOUT_MS, { unref: true });
  if (closed === TIMED_OUT) logger.debug('the Firestore client did not close in time');
}
