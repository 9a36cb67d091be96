import type { CollectionReference, DocumentSnapshot, Firestore, Query } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { Logger } from '../logger.js';
import { type AlertKind, AlertState, isLevel } from './AlertState.js';
import { LEVEL_RANK } from './alertLevel.js';
import { type AlertStateRecord, alertStateId, type BrakeDetail, emptyAlertState, readAlertState, toAlertStateDocument } from './alertStateDocument.js';

/** A run's right to send one alert, and what to put back if it is not delivered. */
export interface Claim {
  kind: AlertKind;
  /** The time this run recorded as sent. */
  sentAt: string;
  /** When this kind was sent before the claim, or null. */
  previous: string | null;
  /** When the alert was first raised, when it waited from an earlier run. */
  waitingSince: string | null;
}

/** Batched writes Firestore takes in one commit. */
const BATCH_WRITES = 500;

/**
 * Decides, across job runs and concurrent runs, whether an alert may go out. The state of each
 * healing type lives in one Firestore document (see `alertStateDocument.ts`), read leniently and
 * written whole in a transaction (only `checkLater` merges its flag without reading): a document the
 * job cannot read is replaced and logged.
 */
export class AlertGate {
  constructor(
    private readonly firestore: Firestore,
    private readonly states: CollectionReference,
    private readonly reads: FirestoreReadMeter,
    private readonly logger: Logger,
  ) {}

  /**
   * The types with an alert waiting or a check left over. A document at another id than its
   * type's (an earlier version's, or one written by hand) is removed; what it held is returned,
   * to be checked and claimed at the right id. One that names no type is removed.
   */
  async waiting(now: Date): Promise<AlertStateRecord[]> {
    const snapshot = await waitingQuery(this.states).get();
    this.reads.documents(snapshot.size);
    const records: AlertStateRecord[] = [];
    for (const doc of snapshot.docs) {
      const { record, misplaced } = readAlertState(doc.id, doc.data(), now);
      if (record === null || misplaced) {
        await doc.ref.delete({ lastUpdateTime: doc.updateTime }).catch(() => undefined);
        const why = record === null ? 'names no healing type' : 'is not at the id derived from its healing type';
        this.logger.warn(`alert state document ${doc.id} ${why}; removed`, { alert_state_id: doc.id, ...(record === null ? {} : { healing_type: record.healingType }) });
      }
      if (record !== null) records.push(record);
    }
    return records;
  }

  /**
   * Claims the right to send in a transaction: null when the kind (or a higher level) went out
   * within the hour. A claim records the kind as sent and clears what it answers for: the kind
   * waiting (a level also the lower levels) and a check left over; a claim refused clears the kind
 * waiting and the check left over.
   */
  async claim(healingType: string, kind: AlertKind, now: Date, waitingSince: string | null = null): Promise<Claim | null> {
    return this.update(healingType, now, (record) => {
      const since = earliest(record.waiting[kind] ?? null, waitingSince);
      if (!new AlertState(record.lastSent).shouldSend(kind, now)) {
        const changed = record.waiting[kind] !== undefined || record.checkLater;
        delete record.waiting[kind];
        record.checkLater = false;
        return { result: null, changed };
      }
      const claim: Claim = { kind, sentAt: now.toISOString(), previous: record.lastSent[kind] ?? null, waitingSince: since };
      record.lastSent[kind] = claim.sentAt;
      for (const other of Object.keys(record.waiting) as AlertKind[]) {
        if (other === kind || (isLevel(kind) && isLevel(other) && LEVEL_RANK[other] <= LEVEL_RANK[kind])) delete record.waiting[other];
      }
      if (kind === 'safety_brake') record.brake = null;
      record.checkLater = false;
      return { result: claim, changed: true };
    });
  }

  /** The claimed alert was not delivered: puts back when it was sent before, and keeps it waiting for the next run. */
  async release(healingType: string, claim: Claim, now: Date, brake: BrakeDetail | null = null): Promise<void> {
    await this.update(healingType, now, (record) => {
      if (record.lastSent[claim.kind] === claim.sentAt) {
        if (claim.previous === null) delete record.lastSent[claim.kind];
        else record.lastSent[claim.kind] = claim.previous;
      }
      record.waiting[claim.kind] = earliest(record.waiting[claim.kind] ?? null, claim.waitingSince ?? claim.sentAt)!;
      if (claim.kind === 'safety_brake' && brake !== null) record.brake = brake;
      return { result: undefined, changed: true };
    });
  }

  /** The type was checked and nothing is to be sent: clears a check left over and the waiting kinds given. */
  async settle(healingType: string, now: Date, dropped: readonly AlertKind[]): Promise<void> {
    await this.update(healingType, now, (record) => {
      const changed = record.checkLater || dropped.some((kind) => record.waiting[kind] !== undefined);
      record.checkLater = false;
      for (const kind of dropped) delete record.waiting[kind];
      return { result: undefined, changed };
    });
  }

  /** Marks types this run could not check, so that the next run checks them even without new events. */
  async checkLater(healingTypes: readonly string[]): Promise<void> {
    for (let start = 0; start < healingTypes.length; start += BATCH_WRITES) {
      const batch = this.firestore.batch();
      for (const type of healingTypes.slice(start, start + BATCH_WRITES)) {
        batch.set(this.states.doc(alertStateId(type)), { healing_type: type, check_later: true, retry: true }, { merge: true });
      }
      await batch.commit();
    }
  }

  /**
   * Reads a type's state in a transaction, lets `change` decide, and writes the record whole when
   * it changed or could not be read in full; a document that could not be read is logged.
   */
  private async update<T>(healingType: string, now: Date, change: (record: AlertStateRecord) => { result: T; changed: boolean }): Promise<T> {
    const ref = this.states.doc(alertStateId(healingType));
    let problems: string[] = [];
    const result = await this.firestore.runTransaction(async (transaction) => {
      const snapshot: DocumentSnapshot = await transaction.get(ref);
      this.reads.documents(1);
      const read = readAlertState(ref.id, snapshot.data(), now);
      const readable = read.record !== null && read.record.healingType === healingType && !read.misplaced;
      problems = snapshot.exists && !readable ? ['healing_type', ...read.problems] : read.problems;
      const record = readable ? read.record! : emptyAlertState(healingType);
      const { result, changed } = change(record);
      if (changed || problems.length > 0) transaction.set(ref, toAlertStateDocument(record));
      return result;
    });
    if (problems.length > 0) {
      this.logger.warn(`alert state of ${healingType} could not be read in full (${[...new Set(problems)].join(', ')}); replaced`, { healing_type: healingType, alert_state_id: ref.id });
    }
    return result;
  }
}

/** Alert states of types with an alert or a check waiting for the next run. */
export function waitingQuery(states: CollectionReference): Query {
  return states.where('retry', '==', true);
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
