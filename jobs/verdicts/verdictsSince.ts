import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { isAlreadyExists } from '../../shared/firestoreErrors.js';
import type { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import type { Logger } from '../../shared/logger.js';

/** The control document of verdicts, in `<HEALING_COLLECTION>_control`. */
export const VERDICTS_CONTROL_DOCUMENT = 'verdicts';
export const VERDICTS_SINCE_FIELD = 'verdicts_since';

/**
 * When the job first gave verdicts: heals recorded before then may lack the `verdict_due` marker.
 * Read from `<HEALING_COLLECTION>_control/verdicts`; the first run that finds none records its own
 * start there (a dry run writes nothing) and returns it.
 */
export async function verdictsSince(
  firestore: Firestore,
  healingCollection: string,
  runStart: Date,
  { dryRun, reads, logger }: { dryRun: boolean; reads: FirestoreReadMeter; logger: Logger },
): Promise<Date> {
  const ref = firestore.collection(`${healingCollection}_control`).doc(VERDICTS_CONTROL_DOCUMENT);
  const snapshot = await ref.get();
  reads.documents(1);
  const recorded: unknown = snapshot.get(VERDICTS_SINCE_FIELD);
  if (recorded instanceof Timestamp) return recorded.toDate();
  if (dryRun) return runStart;
  const since = { [VERDICTS_SINCE_FIELD]: Timestamp.fromDate(runStart) };
  if (snapshot.exists) {
    logger.warn(`${ref.path} has no readable ${VERDICTS_SINCE_FIELD}; recording ${runStart.toISOString()}`, { document: ref.path });
    await ref.set(since, { merge: true });
    return runStart;
  }
  try {
    await ref.create(since);
  } catch (error) {
    // Another run recorded it first, at about the same time.
    if (!isAlreadyExists(error)) throw error;
  }
  return runStart;
}
