import { type CollectionReference, type DocumentReference, type DocumentSnapshot, FieldPath, FieldValue, type Firestore, type Query, type Transaction } from '@google-cloud/firestore';
import { isAlreadyExists } from '../firestoreErrors.js';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { HealingEvent } from '../healingEvent.js';
import type { HealingEventTable } from '../healingEventTable.js';
import type { Logger } from '../logger.js';
import { claimPending, releaseClaims } from './claims.js';
import { ATTEMPTS_FIELD, CLAIM_FIELD, type Claim, ERROR_FIELD, EXPORTED_AT_FIELD, EXPORTED_FIELD, SET_ASIDE_AT_FIELD, toFirestoreDocument } from './eventDocument.js';
import { readPendingEvent } from './pendingEvent.js';
import { firstLine } from '../exitCodes.js';

/** Pending documents looked at per page. */
const PAGE = 200;
/** Refusals of a row BigQuery calls invalid before the event is set aside. */
export const MAX_REFUSALS = 3;
/** Writes per Firestore batch commit. */
const WRITE_BATCH = 400;

export interface OutboxOptions {
  firestore: Firestore;
  /** Firestore collection of healing events. */
  collection: string;
  table: HealingEventTable;
  logger: Logger;
  reads: FirestoreReadMeter;
  /** Unique name of this run; its claims carry it. */
  run: string;
  /** How long a claim holds; longer than the export deadline, so only a crashed run's claims expire. */
  claimTtlMs: number;
  now?: () => Date;
}

export interface ExportReport {
  /** Events this export put into BigQuery. */
  exported: number;
  /** Events still pending in Firestore afterwards, of any run. */
  pending: number;
  /** Pending documents set aside as unreadable or refused for good. */
  setAside: number;
  /** Healing types of the events this run claimed: they had new events since the last run. */
  types: Set<string>;
  /** Why the export stopped early: its deadline or a BigQuery failure; null when it went through. */
  stoppedBy: 'deadline' | 'bigquery' | null;
}

/**
 * Healing events waiting for BigQuery, whoever wrote them. A run exports the events it recorded and,
 * of the others, only those it claimed first in a transaction; a run that stops early releases its
 * claims, so the next run takes them at once. Unreadable documents are set aside, never retried.
 */
export class Outbox {
  private readonly events: CollectionReference;
  private readonly now: () => Date;

  constructor(private readonly options: OutboxOptions) {
    this.events = options.firestore.collection(options.collection);
    this.now = options.now ?? (() => new Date());
  }

  /** Adds the event, claimed by this run, to the caller's transaction: it is written with the caller's changes or not at all. */
  stage(transaction: Transaction, event: HealingEvent): void {
    transaction.create(this.events.doc(event.healing_id), toFirestoreDocument(event, this.claim()));
  }

  /** Writes the event, claimed by this run; false when that healing_id was already recorded. */
  async write(event: HealingEvent): Promise<boolean> {
    try {
      await this.events.doc(event.healing_id).create(toFirestoreDocument(event, this.claim()));
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  /**
   * Exports this run's events (`ownIds`), then the other pending events it can claim, until `signal`
   * fires. Never throws for BigQuery; a Firestore failure is thrown.
   */
  async export(ownIds: string[], signal: AbortSignal): Promise<ExportReport> {
    const report: ExportReport = { exported: 0, pending: 0, setAside: 0, types: new Set(), stoppedBy: null };
    const handled = new Set(ownIds);
    const own = await this.exportPage(ownIds.map((id) => this.events.doc(id)), handled, report, signal);
    let { ok, left } = own;
    let seenAll = false;
    let after: DocumentSnapshot | undefined;
    while (ok && !signal.aborted) {
      const query = after === undefined ? pendingQuery(this.events).limit(PAGE) : pendingQuery(this.events).startAfter(after).limit(PAGE);
      const page = await this.exportPage(query, handled, report, signal);
      ({ ok, last: after } = page);
      left += page.left;
      if (page.read < PAGE) {
        seenAll = ok;
        break;
      }
    }
    if (signal.aborted && report.stoppedBy === null && ok && !seenAll) report.stoppedBy = 'deadline';
    // A run that went through every page knows what it left; one that stopped early counts again.
    report.pending = report.stoppedBy === null && seenAll ? left : await this.countPending();
    if (report.stoppedBy !== null) {
      this.options.logger.warn(
        `BigQuery export ${report.stoppedBy === 'deadline' ? 'reached its deadline' : 'failed'}; ${report.pending} healing event(s) stay pending in Firestore for the next run`,
        { pending_export: report.pending, exported: report.exported },
      );
    } else if (report.exported > 0) {
      this.options.logger.info('exported healing events to BigQuery', { exported: report.exported, pending_export: report.pending });
    }
    return report;
  }

  /**
   * Claims (the given documents, or a page of pending ones), reads, sets aside, inserts and marks;
   * `ok` false when the export must stop; `left` counts the pending events it saw and left (held by
   * another run, or handed back after a refusal).
   */
  private async exportPage(
    source: DocumentReference[] | Query,
    handled: Set<string>,
    report: ExportReport,
    signal: AbortSignal,
  ): Promise<{ ok: boolean; read: number; left: number; last?: DocumentSnapshot }> {
    if (signal.aborted) {
      report.stoppedBy ??= 'deadline';
      return { ok: false, read: 0, left: 0 };
    }
    const { read, claimed } = await claimPending(this.options.firestore, source, this.claim(), this.now(), this.options.reads, Array.isArray(source) ? new Set() : handled);
    for (const snapshot of claimed) handled.add(snapshot.id);
    const page = { read: read.length, last: read[read.length - 1], left: read.filter((snapshot) => snapshot.get(EXPORTED_FIELD) === false && !handled.has(snapshot.id)).length };
    const outcome = await this.exportClaimed(claimed, report, signal);
    return { ...page, ok: outcome.ok, left: page.left + outcome.released };
  }

  /** Sets aside what cannot be read, inserts the rest and marks it; `released` counts the events handed back after a refusal. */
  private async exportClaimed(claimed: DocumentSnapshot[], report: ExportReport, signal: AbortSignal): Promise<{ ok: boolean; released: number }> {
    const readable: Array<{ snapshot: DocumentSnapshot; event: HealingEvent }> = [];
    const unreadable: Array<{ ref: DocumentReference; reason: string }> = [];
    for (const snapshot of claimed) {
      const read = readPendingEvent(snapshot.id, snapshot.data() ?? {});
      if (read.ok) readable.push({ snapshot, event: read.event });
      else unreadable.push({ ref: snapshot.ref, reason: `not a readable healing event: ${read.reason}` });
    }
    await this.setAside(unreadable, report);
    if (readable.length === 0) return { ok: true, released: 0 };
    for (const { event } of readable) report.types.add(event.healing_type);

    let outcome;
    try {
      outcome = await this.options.table.insert(
        readable.map(({ event }) => event),
        { signal },
      );
    } catch (error) {
      report.stoppedBy = signal.aborted ? 'deadline' : 'bigquery';
      if (!signal.aborted) this.options.logger.warn(`BigQuery insert failed: ${firstLine(error)}`, { events: readable.length });
      await releaseClaims(this.options.firestore, readable.map(({ snapshot }) => snapshot.ref), this.options.run, this.now(), this.options.reads);
      return { ok: false, released: readable.length };
    }

    const byId = new Map(readable.map((entry) => [entry.event.healing_id, entry.snapshot]));
    await this.commit(
      outcome.inserted.map((id) => byId.get(id)!.ref),
      () => ({ [EXPORTED_FIELD]: true, [EXPORTED_AT_FIELD]: FieldValue.serverTimestamp(), [CLAIM_FIELD]: FieldValue.delete() }),
    );
    report.exported += outcome.inserted.length;

    const refusedForGood: Array<{ ref: DocumentReference; reason: string }> = [];
    const tryAgain: Array<{ ref: DocumentReference; attempts: number }> = [];
    for (const { healing_id, reason, permanent } of outcome.rejected) {
      const snapshot = byId.get(healing_id)!;
      const attempts = (Number(snapshot.get(ATTEMPTS_FIELD)) || 0) + (permanent ? 1 : 0);
      this.options.logger.error(`BigQuery refused healing event ${healing_id} (${attempts} of ${MAX_REFUSALS}): ${reason}`, { healing_id, reason });
      if (attempts >= MAX_REFUSALS) refusedForGood.push({ ref: snapshot.ref, reason: `refused by BigQuery ${attempts} times: ${reason}` });
      else tryAgain.push({ ref: snapshot.ref, attempts });
    }
    await this.setAside(refusedForGood, report);
    const attemptsOf = new Map(tryAgain.map(({ ref, attempts }) => [ref.path, attempts]));
    await releaseClaims(this.options.firestore, tryAgain.map(({ ref }) => ref), this.options.run, this.now(), this.options.reads, (ref) => ({ [ATTEMPTS_FIELD]: attemptsOf.get(ref.path) ?? 0 }));
    return { ok: true, released: tryAgain.length };
  }

  /** Takes documents out of the outbox for good, with the reason in `export_error`; they are logged and counted. */
  private async setAside(entries: Array<{ ref: DocumentReference; reason: string }>, report: ExportReport): Promise<void> {
    const reasons = new Map(entries.map(({ ref, reason }) => [ref.path, reason]));
    await this.commit(
      entries.map(({ ref }) => ref),
      (ref) => ({
        [EXPORTED_FIELD]: FieldValue.delete(),
        [CLAIM_FIELD]: FieldValue.delete(),
        [ERROR_FIELD]: reasons.get(ref.path),
        [SET_ASIDE_AT_FIELD]: FieldValue.serverTimestamp(),
      }),
    );
    for (const { ref, reason } of entries) {
      this.options.logger.warn(`set aside healing event ${ref.id}: ${reason}`, { healing_id: ref.id, reason });
    }
    report.setAside += entries.length;
  }

  private async commit(refs: DocumentReference[], change: (ref: DocumentReference) => Record<string, unknown>): Promise<void> {
    for (let start = 0; start < refs.length; start += WRITE_BATCH) {
      const batch = this.options.firestore.batch();
      for (const ref of refs.slice(start, start + WRITE_BATCH)) batch.update(ref, change(ref));
      await batch.commit();
    }
  }

  private async countPending(): Promise<number> {
    const snapshot = await pendingQuery(this.events).count().get();
    const count = snapshot.data().count;
    this.options.reads.aggregation(count);
    return count;
  }

  private claim(): Claim {
    return { run: this.options.run, expiresAt: new Date(this.now().getTime() + this.options.claimTtlMs) };
  }
}

/** Events not yet in BigQuery, in document id order (served by the automatic single-field index). */
export function pendingQuery(events: CollectionReference): Query {
  return events.where(EXPORTED_FIELD, '==', false).orderBy(FieldPath.documentId());
}
