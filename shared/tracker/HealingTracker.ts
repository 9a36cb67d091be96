import { FieldValue, type CollectionReference, type Firestore, type Transaction } from '@google-cloud/firestore';
import { type AlertLevel, alertLevel, type PatternCounts } from '../alerts/alertLevel.js';
import { AlertGate } from '../alerts/AlertGate.js';
import { PatternDetector } from '../alerts/PatternDetector.js';
import { alertMessage, type Investigation, type SlackMessage } from '../alerts/slackMessages.js';
import type { SlackNotifier } from '../alerts/SlackNotifier.js';
import type { AlertKind } from '../alerts/AlertState.js';
import { isAlreadyExists } from '../firestoreErrors.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createHealingEvent, type HealingEvent, type HealingEventInput } from '../healingEvent.js';
import type { HealingEventTable } from '../healingEventTable.js';
import type { Logger } from '../logger.js';
import { EXPORTED_FIELD, fromFirestoreDocument, toFirestoreDocument } from '../outbox/eventDocument.js';

/** Pending events read per page by exportPending. */
const EXPORT_PAGE = 500;
const RECENT_EVENTS_IN_ALERT = 5;

export interface HealingTrackerOptions {
  firestore: Firestore;
  /** Firestore collection of healing events; alert state lives in `<collection>_alert_state`. */
  collection: string;
  table: HealingEventTable;
  notifier: SlackNotifier;
  logger: Logger;
  /** Shared meter of Firestore reads; a new one by default. */
  reads?: FirestoreReadMeter;
  /** Current time, replaceable in tests. Default `() => new Date()`. */
  now?: () => Date;
}

export interface ExportResult {
  exported: number;
  pending: number;
}

export interface PatternCheck {
  healingType: string;
  counts: PatternCounts;
  level: AlertLevel | null;
  alerted: boolean;
}

/**
 * Records healing events of any type: Firestore first (real time, and the source of truth for
 * alerts), then BigQuery (analytics). An event BigQuery did not take stays marked in Firestore
 * and is exported by a later exportPending(); none is lost.
 */
export class HealingTracker {
  readonly reads: FirestoreReadMeter;
  private readonly events: CollectionReference;
  private readonly patterns: PatternDetector;
  private readonly gate: AlertGate;
  private readonly now: () => Date;

  constructor(private readonly options: HealingTrackerOptions) {
    this.reads = options.reads ?? new FirestoreReadMeter();
    this.now = options.now ?? (() => new Date());
    this.events = options.firestore.collection(options.collection);
    this.patterns = new PatternDetector(this.events, this.reads);
    this.gate = new AlertGate(options.firestore, options.firestore.collection(`${options.collection}_alert_state`), this.reads);
  }

  /** Writes the event to Firestore and streams it to BigQuery. A repeat of a recorded healing_id is not written again. */
  async record(input: HealingEventInput): Promise<{ event: HealingEvent; exported: boolean }> {
    const { event, created } = await this.write(input);
    if (!created) return { event, exported: false };
    const result = await this.export([event]);
    return { event, exported: result.exported === 1 };
  }

  /**
   * Writes the event to Firestore only, marked pending for BigQuery; export() it later, for
   * example together with other events. `created` is false when that healing_id was already recorded.
   */
  async write(input: HealingEventInput): Promise<{ event: HealingEvent; created: boolean }> {
    const event = createHealingEvent(input, this.now());
    try {
      await this.events.doc(event.healing_id).create(toFirestoreDocument(event));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      this.options.logger.info('healing event already recorded', { healing_id: event.healing_id, healing_type: event.healing_type });
      return { event, created: false };
    }
    this.options.logger.info('healing event recorded', logFields(event));
    return { event, created: true };
  }

  /**
   * Adds the event document to the caller's transaction, so it is written together with the
   * caller's own changes (or not at all). Call export() with the event after the commit.
   */
  stage(transaction: Transaction, input: HealingEventInput): HealingEvent {
    const event = createHealingEvent(input, this.now());
    transaction.create(this.events.doc(event.healing_id), toFirestoreDocument(event));
    return event;
  }

  /** Streams events to BigQuery and marks the ones it took; the rest stay pending. Never throws for BigQuery. */
  async export(events: HealingEvent[]): Promise<ExportResult> {
    if (events.length === 0) return { exported: 0, pending: 0 };
    let inserted: string[];
    try {
      const outcome = await this.options.table.insert(events);
      inserted = outcome.inserted;
      for (const { healing_id, reason } of outcome.rejected) {
        this.options.logger.error(`BigQuery refused healing event ${healing_id}: ${reason}; it stays pending`, { healing_id });
      }
    } catch (error) {
      this.options.logger.warn(`BigQuery export failed; ${events.length} event(s) stay pending in Firestore: ${errorMessage(error)}`, {
        pending_export: events.length,
      });
      return { exported: 0, pending: events.length };
    }
    const unmarked = await this.markExported(inserted);
    return { exported: inserted.length - unmarked, pending: events.length - inserted.length + unmarked };
  }

  /** Exports events that earlier runs could not get into BigQuery. */
  async exportPending(): Promise<ExportResult> {
    const total: ExportResult = { exported: 0, pending: 0 };
    for (;;) {
      const snapshot = await this.events.where(EXPORTED_FIELD, '==', false).limit(EXPORT_PAGE).get();
      this.reads.documents(snapshot.size);
      if (snapshot.empty) break;
      const result = await this.export(snapshot.docs.map((doc) => fromFirestoreDocument(doc.data())));
      total.exported += result.exported;
      if (result.pending > 0) {
        const remaining = await this.events.where(EXPORTED_FIELD, '==', false).count().get();
        const count = remaining.data().count;
        this.reads.aggregation(count);
        total.pending = count;
        break;
      }
      if (snapshot.size < EXPORT_PAGE) break;
    }
    if (total.exported > 0) this.options.logger.info('exported pending healing events', { exported: total.exported });
    return total;
  }

  /** Counts this type's recent events, and alerts when they reach a level that has not been sent within the hour. */
  async checkPatterns(healingType: string): Promise<PatternCheck> {
    const now = this.now();
    const counts = await this.patterns.counts(healingType, now);
    const level = alertLevel(counts);
    if (level === null) return { healingType, counts, level, alerted: false };
    this.options.logger.warn(`${level} healing pattern for ${healingType}`, { healing_type: healingType, alert_level: level, ...counts });
    const recent = await this.patterns.recent(healingType, RECENT_EVENTS_IN_ALERT);
    const message = alertMessage(level, healingType, counts, recent, this.investigation(healingType));
    const alerted = await this.alert(healingType, level, message, now);
    return { healingType, counts, level, alerted };
  }

  /** Sends an alert unless the same kind went out for this type within the hour. */
  async alert(healingType: string, kind: AlertKind, message: SlackMessage, now: Date = this.now()): Promise<boolean> {
    const previous = await this.gate.claim(healingType, kind, now);
    if (previous === null) {
      this.options.logger.info(`${kind} alert for ${healingType} already sent within the hour`, { healing_type: healingType, alert_level: kind });
      return false;
    }
    const delivered = await this.options.notifier.send(message, { healing_type: healingType, alert_level: kind });
    if (!delivered) await this.gate.restore(healingType, previous);
    return delivered;
  }

  /** Sends a message that is not subject to alert deduplication, such as a run summary. */
  async notify(message: SlackMessage): Promise<boolean> {
    return this.options.notifier.send(message);
  }

  /** Where to look next for this type: the CLI and the BigQuery table. */
  investigation(healingType: string): Investigation {
    const { table } = this.options;
    return { healingType, table: `${table.bigquery.projectId}.${table.dataset}.${table.tableName}` };
  }

  /** Marks events as in BigQuery; returns how many could not be marked (they are exported again later, same insert id). */
  private async markExported(ids: string[]): Promise<number> {
    const writer = this.options.firestore.bulkWriter();
    let unmarked = 0;
    for (const id of ids) {
      writer
        .update(this.events.doc(id), { [EXPORTED_FIELD]: true, bigquery_exported_at: FieldValue.serverTimestamp() })
        .catch((error: unknown) => {
          unmarked += 1;
          this.options.logger.warn(`could not mark healing event ${id} as exported: ${errorMessage(error)}`, { healing_id: id });
        });
    }
    await writer.close();
    return unmarked;
  }
}

function logFields(event: HealingEvent): Record<string, unknown> {
  return { healing_id: event.healing_id, healing_type: event.healing_type, success: event.success, root_cause: event.root_cause };
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
