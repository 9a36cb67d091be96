import { FieldValue, type DocumentReference, type DocumentSnapshot, type Firestore, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { CLAIM_FIELD, type Claim, claimField, EXPORTED_FIELD } from './eventDocument.js';

/** Who may export a pending event now: this run, another run whose claim is still live, or anyone. */
export function claimHolder(claim: unknown, run: string, now: Date): 'mine' | 'other' | 'free' {
  if (typeof claim !== 'object' || claim === null) return 'free';
  const { run: holder, expires_at: expiresAt } = claim as { run?: unknown; expires_at?: unknown };
  if (holder === run) return 'mine';
  if (!(expiresAt instanceof Timestamp) || expiresAt.toMillis() <= now.getTime()) return 'free';
  return 'other';
}

/**
 * Claims, in one transaction, those of `refs` that are still pending and not held by another run's
 * live claim, so two runs never export the same event. Returns the claimed documents as read in the
 * transaction.
 */
export async function claimPending(firestore: Firestore, refs: DocumentReference[], claim: Claim, now: Date, reads: FirestoreReadMeter): Promise<DocumentSnapshot[]> {
  if (refs.length === 0) return [];
  return firestore.runTransaction(async (transaction) => {
    const snapshots = await transaction.getAll(...refs);
    reads.documents(snapshots.length);
    const claimed = snapshots.filter(
      (snapshot) => snapshot.exists && snapshot.get(EXPORTED_FIELD) === false && claimHolder(snapshot.get(CLAIM_FIELD), claim.run, now) !== 'other',
    );
    for (const snapshot of claimed) transaction.update(snapshot.ref, { [CLAIM_FIELD]: claimField(claim) });
    return claimed;
  });
}

/** Drops this run's claim on each event it still holds, so the next run exports them at once. */
export async function releaseClaims(firestore: Firestore, refs: DocumentReference[], run: string, now: Date, reads: FirestoreReadMeter, extra: (ref: DocumentReference) => Record<string, unknown> = () => ({})): Promise<void> {
  if (refs.length === 0) return;
  await firestore.runTransaction(async (transaction) => {
    const snapshots = await transaction.getAll(...refs);
    reads.documents(snapshots.length);
    for (const snapshot of snapshots) {
      if (snapshot.exists && claimHolder(snapshot.get(CLAIM_FIELD), run, now) === 'mine') {
        transaction.update(snapshot.ref, { [CLAIM_FIELD]: FieldValue.delete(), ...extra(snapshot.ref) });
      }
    }
  });
}
