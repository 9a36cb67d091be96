import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { isAlreadyExists } from '../../shared/firestoreErrors.js';
import type { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import type { Logger } from '../../shared/logger.js';
import { controlCollection } from '../control/controlCollection.js';

/** The control document of verdicts, in `<HEALING_COLLECTION>_control`. */
export const VERDICTS_CONTROL_DOCUMENT = 'verdicts';
export const VERDICTS_SINCE_FIELD = 'verdicts_since';

export interface VerdictsSince {
  since: Date;
  /** The write that records `since` when this run is the first; awaited by the caller, which need not wait for it to use `since`. */
  recorded: Promise<void>;
}

/**
 * When the job first gave verdicts: heals recorded before then may lack the `verdict_due` marker.
 * Read from `<HEALING_COLLECTION>_control/verdicts`; the first run that finds none records its own
 * start there (a dry run writes nothing) and takes it.
 */
export async function verdictsSince(
  firestore: Firestore,
  healingCollection: string,
  runStart: Date,
  { dryRun, reads, logger }: { dryRun: boolean; reads: FirestoreReadMeter; logger: Logger },
): Promise<VerdictsSince> {
  const ref = controlCollection(firestore, healingCollection).doc(VERDICTS_CONTROL_DOCUMENT);
  const snapshot = await ref.get();
  reads.documents(1);
  const recorded: unknown = snapshot.get(VERDICTS_SINCE_FIELD);
  if (recorded instanceof Timestamp) return { since: recorded.toDate(), recorded: Promise.resolve() };
  if (dryRun) return { since: runStart, recorded: Promise.resolve() };
  const since = { [VERDICTS_SINCE_FIELD]: Timestamp.fromDate(runStart) };
  if (snapshot.exists) {
    logger.warn(`${ref.path} has no readable ${VERDICTS_SINCE_FIELD}; recording ${runStart.toISOString()}`, { document: ref.path });
    return { since: runStart, recorded: ref.set(since, { merge: true }).then(() => undefined) };
  }
  const created = ref.create(since).then(
    () => undefined,
    (error: unknown) => {
      // Another run recorded it first, at about the same time.
      if (!isAlreadyExists(error)) throw error;
    },
  );
  return { since: runStart, recorded: created };
}
