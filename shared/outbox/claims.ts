import { FieldValue, type DocumentReference, type DocumentSnapshot, type Firestore, type Query, Timestamp } from '@google-cloud/firestore';
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

/** What a claim saw: every document it read, and those it claimed. */
export interface ClaimedPage {
  read: DocumentSnapshot[];
  claimed: DocumentSnapshot[];
}

/**
 * Claims, in one transaction, the documents it reads (the given ones, or a page of a query) that
 * are still pending, not in `skip`, and not held by another run's live claim, so two runs never
 * export the same event. Each document is read once, inside the transaction.
 */
export async function claimPending(firestore: Firestore, source: DocumentReference[] | Query, claim: Claim, now: Date, reads: FirestoreReadMeter, skip: ReadonlySet<string> = new Set()): Promise<ClaimedPage> {
  if (Array.isArray(source) && source.length === 0) return { read: [], claimed: [] };
  return firestore.runTransaction(async (transaction) => {
    const read = Array.isArray(source) ? await transaction.getAll(...source) : (await transaction.get(source)).docs;
    reads.documents(read.length);
    const claimed = read.filter(
      (snapshot) =>
        snapshot.exists && !skip.has(snapshot.id) && snapshot.get(EXPORTED_FIELD) === false && claimHolder(snapshot.get(CLAIM_FIELD), claim.run, now) !== 'other',
    );
    for (const snapshot of claimed) transaction.update(snapshot.ref, { [CLAIM_FIELD]: claimField(claim) });
    return { read, claimed };
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
