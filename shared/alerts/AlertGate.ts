import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { type AlertKind, AlertState, type AlertStateJson } from './AlertState.js';

/**
 * Decides, across job runs and concurrent tasks, whether an alert may go out: the alert state of
 * each healing type lives in one Firestore document, claimed in a transaction before sending.
 */
export class AlertGate {
  constructor(
    private readonly firestore: Firestore,
    private readonly states: CollectionReference,
    private readonly reads: FirestoreReadMeter,
  ) {}

  /** Claims the right to send; returns the state to restore if sending fails, or null when the alert is not due. */
  async claim(healingType: string, kind: AlertKind, now: Date): Promise<AlertStateJson | null> {
    const ref = this.states.doc(documentId(healingType));
    return this.firestore.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      this.reads.documents(1);
      const previous = (snapshot.get('last_sent') as AlertStateJson | undefined) ?? {};
      const state = new AlertState(previous);
      if (!state.shouldSend(kind, now)) return null;
      transaction.set(ref, { healing_type: healingType, last_sent: state.withSent(kind, now).toJSON() });
      return previous;
    });
  }

  /** Puts back the state from before a claim whose message was not delivered, so the next run tries again. */
  async restore(healingType: string, previous: AlertStateJson): Promise<void> {
    await this.states.doc(documentId(healingType)).set({ healing_type: healingType, last_sent: previous });
  }
}

function documentId(healingType: string): string {
  return encodeURIComponent(healingType);
}
