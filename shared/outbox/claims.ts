import { type CollectionReference, type DocumentReference, FieldPath, type Query, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { type Claim, claimField } from './eventDocument.js';
import type { GuardedWrites } from './guardedWrites.js';
import type { OutboxFields, OutboxStream } from './OutboxStream.js';

/** Who may export a pending row now: this run, another run whose claim is still live, or anyone. */
export function claimHolder(claim: unknown, run: string, now: Date): 'mine' | 'other' | 'free' {
  if (typeof claim !== 'object' || claim === null) return 'free';
  const { run: holder, expires_at: expiresAt } = claim as { run?: unknown; expires_at?: unknown };
  if (holder === run) return 'mine';
  if (!(expiresAt instanceof Timestamp) || expiresAt.toMillis() <= now.getTime()) return 'free';
  return 'other';
}

/** A pending row this run holds. */
export interface PendingItem<Row> {
  ref: DocumentReference;
  row: Row;
  /** The document's update time after this run's last write to it; null when unknown (an event this run created in its heal). */
  version: Timestamp | null;
  /** An earlier insert of the row may have reached BigQuery: look it up before sending it. */
  sent: boolean;
  /** BigQuery's refusals of the row for good so far. */
  attempts: number;
}

export interface ClaimedPage<Row> {
  /** Documents the page read; the id of the last, where the next page starts. */
  read: number;
  lastId: string | undefined;
  claimed: Array<PendingItem<Row>>;
  /** Pending documents that cannot be read, to be set aside, with the update time they were read at. */
  unreadable: Array<{ ref: DocumentReference; version: Timestamp; reason: string }>;
  /** Pending documents left to another run: held by its live claim, or claimed by it since this page was read. */
  left: number;
}

/** A stream's pending documents, in document id order (served by the automatic single-field index). */
export function pendingQuery(collection: CollectionReference, fields: Pick<OutboxFields, 'exported'>): Query {
  return collection.where(fields.exported, '==', false).orderBy(FieldPath.documentId());
}

export interface PageRequest {
  /** The page starts after this document id. */
  after: string | undefined;
  limit: number;
  /** Ids this run exported already or left on purpose. */
  skip: ReadonlySet<string>;
}

/**
 * Reads one page of a stream's pending documents, each once and outside any transaction, and claims
 * those still free with a write that applies only to the document as it was read: of two runs
 * reading the same page, one claims each document and the other leaves it. No read is repeated.
 */
export async function claimPage<Row>(
  stream: OutboxStream<Row>,
  collection: CollectionReference,
  page: PageRequest,
  claim: Claim,
  now: Date,
  reads: FirestoreReadMeter,
  writes: GuardedWrites,
): Promise<ClaimedPage<Row>> {
  const query = pendingQuery(collection, stream.fields);
  const snapshot = await (page.after === undefined ? query : query.startAfter(page.after)).limit(page.limit).get();
  reads.documents(snapshot.size);
  const result: ClaimedPage<Row> = { read: snapshot.size, lastId: snapshot.docs[snapshot.size - 1]?.id, claimed: [], unreadable: [], left: 0 };
  const free: Array<{ ref: DocumentReference; version: Timestamp; row: Row; sent: boolean; attempts: number }> = [];
  for (const doc of snapshot.docs) {
    if (page.skip.has(doc.id)) continue;
    const data = doc.data();
    if (data[stream.fields.exported] !== false) continue;
    if (claimHolder(data[stream.fields.claim], claim.run, now) === 'other') {
      result.left += 1;
      continue;
    }
    const read = stream.read(doc.id, data);
    if (!read.ok) result.unreadable.push({ ref: doc.ref, version: doc.updateTime, reason: read.reason });
    else free.push({ ref: doc.ref, version: doc.updateTime, row: read.row, sent: data[stream.fields.sent] !== undefined, attempts: Number(data[stream.fields.attempts]) || 0 });
  }
  const versions = await writes.apply(free.map(({ ref, version }) => ({ ref, version, change: { [stream.fields.claim]: claimField(claim) } })));
  free.forEach((item, index) => {
    const version = versions[index];
    if (version === null || version === undefined) result.left += 1;
    else result.claimed.push({ ...item, version });
  });
  return result;
}
