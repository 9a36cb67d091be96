import { type CollectionReference, FieldValue, type Firestore, type Query } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { type AlertKind, AlertState, type AlertStateJson } from './AlertState.js';
import type { SlackMessage } from './slackMessages.js';

/** An alert a channel did not take, kept so that the next run sends it again. */
export interface UndeliveredAlert {
  healingType: string;
  kind: AlertKind | null;
  message: SlackMessage | null;
}

/**
 * Decides, across job runs and concurrent runs, whether an alert may go out. The state of each
 * healing type lives in one Firestore document: when each kind was last sent, and whether an alert
 * waits to be sent again (`retry`).
 */
export class AlertGate {
  constructor(
    private readonly firestore: Firestore,
    private readonly states: CollectionReference,
    private readonly reads: FirestoreReadMeter,
  ) {}

  /** Claims the right to send in a transaction; returns when this kind was sent before (to put back if sending fails), or null when the alert is not due. */
  async claim(healingType: string, kind: AlertKind, now: Date): Promise<{ previous: string | null } | null> {
    const ref = this.states.doc(documentId(healingType));
    return this.firestore.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      this.reads.documents(1);
      const sent = (snapshot.get('last_sent') as AlertStateJson | undefined) ?? {};
      const state = new AlertState(sent);
      if (!state.shouldSend(kind, now)) return null;
      transaction.set(ref, { healing_type: healingType, last_sent: state.withSent(kind, now).toJSON() }, { merge: true });
      return { previous: sent[kind] ?? null };
    });
  }

  /** The alert went out: nothing waits for this type any more. */
  async delivered(healingType: string): Promise<void> {
    await this.states.doc(documentId(healingType)).set({ retry: FieldValue.delete(), undelivered: FieldValue.delete() }, { merge: true });
  }

  /** Puts back the state from before a claim whose message was not delivered, and keeps the message for the next run. */
  async undelivered(healingType: string, kind: AlertKind, previous: string | null, message: SlackMessage): Promise<void> {
    await this.states.doc(documentId(healingType)).set(
      {
        healing_type: healingType,
        last_sent: { [kind]: previous ?? FieldValue.delete() },
        retry: true,
        undelivered: { kind, message: JSON.stringify(message) },
      },
      { merge: true },
    );
  }

  /** Marks types whose check this run could not finish, so the next run checks them even without new events. */
  async checkLater(healingTypes: string[]): Promise<void> {
    const batch = this.firestore.batch();
    for (const type of healingTypes) batch.set(this.states.doc(documentId(type)), { healing_type: type, retry: true }, { merge: true });
    if (healingTypes.length > 0) await batch.commit();
  }

  /** Types with an alert waiting to be sent again or a check left over. */
  async waiting(): Promise<UndeliveredAlert[]> {
    const snapshot = await waitingQuery(this.states).get();
    this.reads.documents(snapshot.size);
    return snapshot.docs.map((doc) => {
      const undelivered = doc.get('undelivered') as { kind?: AlertKind; message?: string } | undefined;
      return {
        healingType: String(doc.get('healing_type')),
        kind: undelivered?.kind ?? null,
        message: undelivered?.message ? (JSON.parse(undelivered.message) as SlackMessage) : null,
      };
    });
  }
}

/** Alert states of types with an alert or a check waiting for the next run. */
export function waitingQuery(states: CollectionReference): Query {
  return states.where('retry', '==', true);
}

function documentId(healingType: string): string {
  return encodeURIComponent(healingType);
}
