import type { CollectionReference, DocumentData, Firestore, Transaction, UpdateData } from '@google-cloud/firestore';
import type { BigQueryTable } from '../bigQueryTable.js';
import { isAlreadyExists } from '../firestoreErrors.js';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { HealingEvent } from '../healingEvent.js';
import type { Logger } from '../logger.js';
import { pendingQuery } from './claims.js';
import { type Claim, claimField, type DocumentOptions, toFirestoreDocument } from './eventDocument.js';
import { eventStream } from './eventStream.js';
import { GuardedWrites } from './guardedWrites.js';
import type { OutboxStream } from './OutboxStream.js';
import { type ExportCounts, type OwnRow, StreamExport } from './StreamExport.js';
import { type HealVerdict, type HealVerdictRow, pendingVerdictFields, VERDICT_FIELDS } from './verdictDocument.js';
import { verdictStream } from './verdictStream.js';

export type { OwnRow } from './StreamExport.js';

export interface OutboxOptions {
  firestore: Firestore;
  /** Firestore collection of healing events; pending verdicts sit on the same documents. */
  collection: string;
  /** BigQuery table of healing events (`HEALING_TABLE`). */
  table: BigQueryTable;
  /** BigQuery table of heal verdicts (`HEALING_VERDICT_TABLE`). */
  verdictTable: BigQueryTable;
  logger: Logger;
  reads: FirestoreReadMeter;
  /** Unique name of this run; its claims carry it. */
  run: string;
  /** How long a claim holds; longer than the export deadline, so only a crashed run's claims expire. */
  claimTtlMs: number;
  now?: () => Date;
}

export interface ExportReport extends ExportCounts {
  /** Healing types of the events this run exported or claimed: they had new events since the last run. */
  types: Set<string>;
  /** Why the export stopped early: its deadline or a BigQuery failure; null when it went through. */
  stoppedBy: 'deadline' | 'bigquery' | null;
  /** The totals above are events and verdict rows together; these are each stream's share. */
  events: ExportCounts;
  verdicts: ExportCounts;
}

/**
 * Rows waiting for BigQuery, whoever wrote them: healing events, and the verdicts given on them.
 * One outbox, two tables: each stream is claimed, read leniently, sized by bytes, set aside when
 * unreadable, looked up after a crash and exported under the one deadline the same way.
 */
export class Outbox {
  private readonly events: CollectionReference;
  private readonly now: () => Date;

  constructor(private readonly options: OutboxOptions) {
    this.events = options.firestore.collection(options.collection);
    this.now = options.now ?? (() => new Date());
  }

  /** Adds the event, claimed by this run, to the caller's transaction: it is written with the caller's changes or not at all. */
  stage(transaction: Transaction, event: HealingEvent, options: DocumentOptions = {}): void {
    transaction.create(this.events.doc(event.healing_id), toFirestoreDocument(event, this.claim(), options));
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
   * What a verdict writer of this run sets on the event document: the verdict, pending for
   * BigQuery and claimed by this run, so that this run's export takes it from memory (`export`'s
   * `ownVerdicts`) and no other run sends it too.
   */
  claimedVerdictFields(verdict: HealVerdict): UpdateData<DocumentData> {
    return { ...pendingVerdictFields(verdict), [VERDICT_FIELDS.claim]: claimField(this.claim()) };
  }

  /**
   * Exports, until `signal` fires, this run's events (`own`, from memory: none is read back), the
   * other pending events it can claim, then this run's verdicts (`ownVerdicts`, written with
   * `claimedVerdictFields`, from memory) and the pending verdicts it can claim. Never throws for
   * BigQuery; a Firestore failure is thrown.
   */
  async export(own: HealingEvent[], signal: AbortSignal, ownVerdicts: ReadonlyArray<OwnRow<HealVerdictRow>> = []): Promise<ExportReport> {
    const writes = new GuardedWrites(this.options.firestore, this.options.reads);
    const context = { collection: this.events, writes, reads: this.options.reads, logger: this.options.logger, run: this.options.run, claim: () => this.claim(), now: this.now };
    const events = new StreamExport(eventStream, { ...context, table: this.options.table });
    const verdicts = new StreamExport(verdictStream, { ...context, table: this.options.verdictTable });
    await events.run(own.map((row) => ({ row, version: null })), signal);
    if (events.stoppedBy === null) await verdicts.run(ownVerdicts, signal);
    // This run's verdicts carry its claim: handed back at once, so the next run exports them.
    else await verdicts.handBack(ownVerdicts, events.stoppedBy);

    const stoppedBy = events.stoppedBy ?? verdicts.stoppedBy;
    const [eventCounts, verdictCounts] = await Promise.all([this.counts(events, eventStream), this.counts(verdicts, verdictStream)]);
    const report: ExportReport = { events: eventCounts, verdicts: verdictCounts, exported: 0, pending: 0, setAside: 0, types: events.types, stoppedBy };
    report.exported = report.events.exported + report.verdicts.exported;
    report.pending = report.events.pending + report.verdicts.pending;
    report.setAside = report.events.setAside + report.verdicts.setAside;
    this.log(report);
    return report;
  }

  /** A stream that went through every page knows what it left; one that stopped early counts again. */
  private async counts(done: StreamExport<unknown>, stream: OutboxStream<unknown>): Promise<ExportCounts> {
    const pending = done.stoppedBy === null && done.seenAll ? done.left : await this.countPending(stream);
    return { exported: done.exported, pending, setAside: done.setAside };
  }

  private log(report: ExportReport): void {
    const fields = { exported: report.exported, pending_export: report.pending, verdicts_exported: report.verdicts.exported, verdicts_pending_export: report.verdicts.pending };
    if (report.stoppedBy !== null) {
      const left = `${report.events.pending} healing event(s) and ${report.verdicts.pending} verdict(s) stay pending in Firestore for the next run`;
      this.options.logger.warn(`BigQuery export ${report.stoppedBy === 'deadline' ? 'reached its deadline' : 'failed'}; ${left}`, fields);
    } else if (report.exported > 0) {
      this.options.logger.info('exported to BigQuery', fields);
    }
  }

  private async countPending(stream: OutboxStream<unknown>): Promise<number> {
    const snapshot = await pendingQuery(this.events, stream.fields).count().get();
    const count = snapshot.data().count;
    this.options.reads.aggregation(count);
    return count;
  }

  private claim(): Claim {
    return { run: this.options.run, expiresAt: new Date(this.now().getTime() + this.options.claimTtlMs) };
  }
}
