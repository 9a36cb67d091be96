import { type CollectionReference, type DocumentData, FieldValue, type Firestore, Timestamp, type UpdateData } from '@google-cloud/firestore';
import { firstLine } from '../../shared/errorText.js';
import { isAccessDenied, isUnreachable } from '../../shared/firestoreErrors.js';
import { type FieldChange, planUndo, readRecordedHeal, REMOVED, SERVER_TIME, type UndoPlan, type UndoRequest } from './undoPlan.js';

export type UndoOutcome =
  | { healingId: string; outcome: 'undone' | 'would_undo'; plan: UndoPlan }
  | { healingId: string; outcome: 'refused' | 'failed'; reason: string };

export interface UndoTarget {
  firestore: Firestore;
  /** The healing events. */
  events: CollectionReference;
  /** Waits for Firestore's answer, or fails when none comes in time. */
  answer<T>(call: Promise<T>): Promise<T>;
}

/**
 * Undoes one heal in one transaction that reads its event and its batch, checks that the heal can
 * be undone, and writes both; or, with `dryRun`, reads them and says what would change. Firestore
 * being unreachable or refusing access is thrown: it ends the command.
 */
export async function undoHeal({ firestore, events, answer }: UndoTarget, request: UndoRequest, dryRun: boolean): Promise<UndoOutcome> {
  const { healingId } = request;
  if (healingId.trim() === '' || healingId.includes('/')) return { healingId, outcome: 'refused', reason: 'not a healing id' };
  const eventRef = events.doc(healingId);
  try {
    if (dryRun) {
      const read = readRecordedHeal(healingId, (await answer(eventRef.get())).data(), events.id);
      if (!('heal' in read)) return { healingId, outcome: 'refused', reason: read.reason };
      const batch = await answer(firestore.collection(read.heal.batchCollection).doc(read.heal.batchId).get());
      const plan = planUndo(read.heal, batch.data(), request);
      return plan.undo ? { healingId, outcome: 'would_undo', plan } : { healingId, outcome: 'refused', reason: plan.reason };
    }
    const plan = await answer(
      firestore.runTransaction(async (transaction) => {
        const read = readRecordedHeal(healingId, (await transaction.get(eventRef)).data(), events.id);
        if (!('heal' in read)) return read;
        const batchRef = firestore.collection(read.heal.batchCollection).doc(read.heal.batchId);
        const decision = planUndo(read.heal, (await transaction.get(batchRef)).data(), request);
        if (decision.undo) {
          transaction.update(batchRef, updateOf(decision.changes, 'batch'));
          transaction.update(eventRef, updateOf(decision.changes, 'event'));
        }
        return decision;
      }),
    );
    return plan.undo ? { healingId, outcome: 'undone', plan } : { healingId, outcome: 'refused', reason: plan.reason };
  } catch (error) {
    if (isUnreachable(error) || isAccessDenied(error)) throw error;
    return { healingId, outcome: 'failed', reason: firstLine(error) };
  }
}

/** The Firestore update that makes the changes to one document. */
export function updateOf(changes: FieldChange[], document: FieldChange['document']): UpdateData<DocumentData> {
  const update: UpdateData<DocumentData> = {};
  for (const change of changes) if (change.document === document) update[change.field] = change.after === REMOVED ? FieldValue.delete() : written(change.after);
  return update;
}

function written(value: unknown): unknown {
  if (value === SERVER_TIME) return FieldValue.serverTimestamp();
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Timestamp || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, written(inner)]));
}

/** A value as the command shows it (JSON): times as ISO 8601, and what the undo removes or times. */
export function shownValue(value: unknown): unknown {
  if (value === REMOVED) return '(removed)';
  if (value === SERVER_TIME) return '(server time of the undo)';
  if (value === undefined) return '(absent)';
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(shownValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shownValue(inner)]));
  return value;
}

/** One change as a line: `batch.is_complete: true -> false`. */
export function describeChange(change: FieldChange): string {
  const text = (value: unknown) => {
    const shown = shownValue(value);
    return typeof shown === 'string' && shown.startsWith('(') && typeof value !== 'string' ? shown : JSON.stringify(shown);
  };
  return `${change.document}.${change.field}: ${text(change.before)} -> ${text(change.after)}`;
}
