import { type DocumentSnapshot, type Firestore, Timestamp } from '@google-cloud/firestore';
import { isFailedPrecondition } from '../../shared/firestoreErrors.js';
import type { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import type { Logger } from '../../shared/logger.js';
import { activeExclusionsQuery, controlCollection, PAUSE_DOCUMENT } from './controlCollection.js';
import { activePause, describePause, type Exclusion, type Pause, pauseWarningDue, readExclusion } from './healingControl.js';

/** What operators asked of this run: a pause, and the batches it must leave alone. */
export interface RunControl {
  pause: Pause | undefined;
  /** Exclusions in force, by batch id. */
  exclusions: Map<string, Exclusion>;
}

export interface ReadControlOptions {
  firestore: Firestore;
  healingCollection: string;
  reads: FirestoreReadMeter;
  logger: Logger;
  now: Date;
  /** Logs only; the hourly WARNING is not remembered. */
  dryRun: boolean;
}

/**
 * The first step of a run: the pause document and the exclusions in force (one read for the pause
 * document, one per active exclusion and at least one for their query). A pause is logged at WARNING once an hour across runs and tasks (the time is
 * remembered in the pause document, written only if no one changed it since this read), at INFO otherwise.
 */
export async function readControl({ firestore, healingCollection, reads, logger, now, dryRun }: ReadControlOptions): Promise<RunControl> {
  const control = controlCollection(firestore, healingCollection);
  const [pauseSnapshot, exclusionSnapshot] = await Promise.all([control.doc(PAUSE_DOCUMENT).get(), activeExclusionsQuery(control, now).get()]);
  reads.documents(1);
  reads.documents(exclusionSnapshot.size);
  const exclusions = new Map<string, Exclusion>();
  for (const doc of exclusionSnapshot.docs) {
    const exclusion = readExclusion(doc.data());
    if (exclusion !== undefined) exclusions.set(exclusion.batchId, exclusion);
  }
  const pause = activePause(pauseSnapshot.data(), now);
  if (pause !== undefined) await logPause(pause, pauseSnapshot, logger, now, dryRun);
  return { pause, exclusions };
}

async function logPause(pause: Pause, snapshot: DocumentSnapshot, logger: Logger, now: Date, dryRun: boolean): Promise<void> {
  const message = `healing is paused ${describePause(pause)}; this run heals nothing`;
  const fields = { paused: true, pause_reason: pause.reason, paused_by: pause.by, paused_at: pause.at?.toISOString() ?? null, paused_until: pause.until?.toISOString() ?? null };
  if (!pauseWarningDue(pause, now)) return logger.info(message, fields);
  if (dryRun) return logger.warn(message, fields);
  try {
    await snapshot.ref.update({ warned_at: Timestamp.fromDate(now) }, { lastUpdateTime: snapshot.updateTime! });
  } catch (error) {
    // Another run or task wrote the document since this one read it: it gave the warning.
    if (isFailedPrecondition(error)) return logger.info(message, fields);
  }
  logger.warn(message, fields);
}
