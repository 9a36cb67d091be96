import type { DocumentData, DocumentReference, Firestore, Precondition, Timestamp, UpdateData } from '@google-cloud/firestore';
import { Status } from 'google-gax';
import type { FirestoreReadMeter } from '../firestoreReads.js';

export interface GuardedWrite {
  ref: DocumentReference;
  /** The document's update time when this run last read or wrote it; null when unknown (the document must then only exist). */
  version: Timestamp | null;
  change: UpdateData<DocumentData>;
  /** When the document changed since `version`: whether to write anyway, judged on the document read again. Without it the write is dropped. */
  recheck?: (data: DocumentData) => boolean;
}

/** How often a write whose document keeps changing is read and tried again. */
const RECHECKS = 3;

/**
 * Writes that read nothing: each applies only to the document as this run last saw it (Firestore's
 * `lastUpdateTime` precondition), so a document another writer changed in between is never
 * overwritten blindly. Only such a document costs a read: it is read again and rechecked.
 */
export class GuardedWrites {
  constructor(
    private readonly firestore: Firestore,
    private readonly reads: FirestoreReadMeter,
  ) {}

  /** Applies the writes; each document's new update time, or null where nothing was written (changed and refused by its recheck, or gone). */
  async apply(writes: GuardedWrite[]): Promise<Array<Timestamp | null>> {
    if (writes.length === 0) return [];
    const outcomes = await this.bulk(writes.map((write) => ({ ref: write.ref, change: write.change, precondition: write.version === null ? { exists: true } : { lastUpdateTime: write.version } })));
    return Promise.all(
      outcomes.map(async (outcome, index) => {
        if (!(outcome instanceof Error)) return outcome;
        const write = writes[index]!;
        if (codeOf(outcome) === Status.NOT_FOUND) return null;
        if (codeOf(outcome) !== Status.FAILED_PRECONDITION) throw outcome;
        return write.recheck === undefined ? null : this.recheckAndWrite(write);
      }),
    );
  }

  private async recheckAndWrite(write: GuardedWrite): Promise<Timestamp | null> {
    for (let attempt = 0; attempt < RECHECKS; attempt += 1) {
      const snapshot = await write.ref.get();
      this.reads.documents(1);
      if (!snapshot.exists || !write.recheck!(snapshot.data()!)) return null;
      const [outcome] = await this.bulk([{ ref: write.ref, change: write.change, precondition: { lastUpdateTime: snapshot.updateTime! } }]);
      if (!(outcome instanceof Error)) return outcome!;
      if (codeOf(outcome) === Status.NOT_FOUND) return null;
      if (codeOf(outcome) !== Status.FAILED_PRECONDITION) throw outcome;
    }
    return null;
  }

  /** One BulkWriter for the lot: each write succeeds or fails on its own, none waits for another. */
  private async bulk(writes: Array<{ ref: DocumentReference; change: UpdateData<DocumentData>; precondition: Precondition }>): Promise<Array<Timestamp | Error>> {
    const writer = this.firestore.bulkWriter({ throttling: false });
    const outcomes = writes.map(({ ref, change, precondition }) =>
      writer.update(ref, change, precondition).then(
        (result) => result.writeTime,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    );
    await writer.close();
    return Promise.all(outcomes);
  }
}

function codeOf(error: Error): unknown {
  return (error as { code?: unknown }).code;
}
