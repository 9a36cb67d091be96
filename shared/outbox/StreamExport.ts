import { type CollectionReference, type DocumentData, type DocumentReference, FieldValue, type Timestamp } from '@google-cloud/firestore';
import { type BigQueryTable, isRequestTooLarge, isTransient } from '../bigQueryTable.js';
import { firstLine } from '../errorText.js';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { Logger } from '../logger.js';
import { claimHolder, claimPage, type PendingItem } from './claims.js';
import type { Claim } from './eventDocument.js';
import type { GuardedWrites } from './guardedWrites.js';
import type { OutboxStream } from './OutboxStream.js';
import { largestRow, planRequests } from './requestPlan.js';

/**
 * Pending documents read per page. A Firestore document holds at most 1 MiB, so a page holds at
 * most this many MiB, whatever the documents hold.
 */
export const PAGE_DOCUMENTS = 25;
/** Refusals of a row BigQuery calls invalid before the row is set aside. */
export const MAX_REFUSALS = 3;
/** Tries of one insert request while BigQuery answers 5xx or 429 or the connection fails; each retry looks the rows up first. */
const SEND_TRIES = 3;
const RETRY_DELAY_MS = 250;

/** A pending row with its insertAll entry already written as JSON. */
type Sendable<Row> = PendingItem<Row> & { json: string };

export interface StreamExportContext {
  collection: CollectionReference;
  table: BigQueryTable;
  writes: GuardedWrites;
  reads: FirestoreReadMeter;
  logger: Logger;
  run: string;
  claim: () => Claim;
  now: () => Date;
}

export interface ExportCounts {
  /** Rows this run got into BigQuery: inserted, or found there after an earlier export was cut short, and marked. */
  exported: number;
  /** Pending rows of any run left afterwards. */
  pending: number;
  /** Pending documents set aside as unreadable or refused for good. */
  setAside: number;
}

type Stop = 'deadline' | 'bigquery';

/** A row this run wrote itself and claimed in that write, exported from memory. */
export interface OwnRow<Row> {
  row: Row;
  /** The document's update time after that write; null when unknown (an event created in its heal's transaction). */
  version: Timestamp | null;
}

/**
 * The export of one stream under a deadline: this run's own rows first (from memory), then pages of
 * the pending rows it claims. Each row whose insert may have been sent before is looked up in the
 * table and marked when there; the others go in requests sized by bytes, marked as sent before
 * each request leaves. At the deadline or on a BigQuery failure the request is aborted and every
 * claim this run holds is released, the sent marks kept, so the next run exports at once.
 */
export class StreamExport<Row> {
  exported = 0;
  setAside = 0;
  /** Pending rows seen and left: held by another run, or handed back after a refusal. */
  left = 0;
  readonly types = new Set<string>();
  stoppedBy: Stop | null = null;
  /** Every page of pending rows was read. */
  seenAll = false;
  private readonly handled = new Set<string>();

  constructor(
    private readonly stream: OutboxStream<Row>,
    private readonly context: StreamExportContext,
  ) {}

  async run(own: ReadonlyArray<OwnRow<Row>>, signal: AbortSignal): Promise<void> {
    const items = this.ownItems(own);
    if (items.length > 0 && !(await this.exportItems(items, signal))) return;
    let after: string | undefined;
    for (;;) {
      if (signal.aborted) return void this.stop('deadline');
      const page = await claimPage(this.stream, this.context.collection, { after, limit: PAGE_DOCUMENTS, skip: this.handled }, this.context.claim(), this.context.now(), this.context.reads, this.context.writes);
      this.left += page.left;
      await this.setAsideAll(page.unreadable);
      for (const item of page.claimed) this.handled.add(item.ref.id);
      if (!(await this.exportItems(page.claimed, signal))) return;
      if (page.read < PAGE_DOCUMENTS) {
        this.seenAll = true;
        return;
      }
      after = page.lastId;
    }
  }

  /** What the lookup found already in the table, by the stream's key. Throws when BigQuery fails. */
  private async findInTable(rows: Row[], signal: AbortSignal): Promise<Set<string>> {
    const { sql, parameters } = this.stream.lookup(rows, this.context.table.sqlName);
    const answers = await this.context.table.query(sql, parameters, { signal });
    return new Set(answers.map((values) => this.stream.foundKey(values)));
  }

  /** Looks up what may have been sent, then sends the rest in requests sized by bytes; false when the export must stop (its claims released). */
  private async exportItems(items: Array<PendingItem<Row>>, signal: AbortSignal): Promise<boolean> {
    if (items.length === 0) return true;
    for (const item of items) this.types.add(this.stream.healingType(item.row));
    if (signal.aborted) return this.giveBack(items, 'deadline');
    const sent = items.filter((item) => item.sent);
    let rest = items;
    if (sent.length > 0) {
      const found = await this.lookUp(sent, signal);
      if (found === null) return this.giveBack(items);
      rest = items.filter((item) => !found.has(item));
    }

    // Each row is written as JSON once: sized from that text, and sent as it.
    const sendable = rest.map((item) => ({ ...item, json: this.serialize(item) }));
    const sizes = sendable.map((item) => Buffer.byteLength(item.json));
    const plan = planRequests(sizes);
    await this.setAsideAll(plan.tooLarge.map((index) => ({ ...rest[index]!, reason: `too large for BigQuery: the row is ${sizes[index]} bytes of JSON, an insert request takes at most ${largestRow()}` })));
    for (const [position, request] of plan.requests.entries()) {
      const later = () => plan.requests.slice(position + 1).flatMap((indexes) => indexes.map((index) => sendable[index]!));
      const batch = request.map((index) => sendable[index]!);
      if (signal.aborted) return this.giveBack([...batch, ...later()], 'deadline');
      const marked = await this.markSent(batch);
      if (!(await this.send(marked, signal, 1))) return this.giveBack(later());
    }
    return true;
  }

  /** One insert request; a request refused as too large is split in halves, a transient failure retried after a lookup. */
  private async send(items: Array<Sendable<Row>>, signal: AbortSignal, attempt: number): Promise<boolean> {
    if (items.length === 0) return true;
    let refused;
    try {
      refused = await this.context.table.insertAll(items.map((item) => item.json), { signal });
    } catch (error) {
      if (isRequestTooLarge(error)) {
        if (items.length === 1) {
          await this.setAsideAll([{ ...items[0]!, reason: `refused by BigQuery as too large: ${firstLine(error)}` }]);
          return true;
        }
        const half = Math.ceil(items.length / 2);
        if (!(await this.send(items.slice(0, half), signal, 1))) return this.giveBack(items.slice(half));
        return this.send(items.slice(half), signal, 1);
      }
      if (signal.aborted) return this.giveBack(items, 'deadline');
      if (!isTransient(error) || attempt >= SEND_TRIES) {
        this.context.logger.warn(`BigQuery insert failed: ${firstLine(error)}`, { rows: items.length, table: this.context.table.tableName });
        return this.giveBack(items, 'bigquery');
      }
      if (!(await pause(RETRY_DELAY_MS * 2 ** (attempt - 1), signal))) return this.giveBack(items, 'deadline');
      const found = await this.lookUp(items, signal);
      if (found === null) return this.giveBack(items);
      return this.send(items.filter((item) => !found.has(item)), signal, attempt + 1);
    }

    const refusedAt = new Map(refused.map((row) => [row.index, row]));
    await this.markExported(items.filter((_, index) => !refusedAt.has(index)));
    const forGood: Array<PendingItem<Row> & { reason: string }> = [];
    const again: Array<PendingItem<Row>> = [];
    for (const [index, { reason, permanent }] of refusedAt) {
      const item = items[index]!;
      const attempts = item.attempts + (permanent ? 1 : 0);
      const id = this.stream.insertId(item.row);
      this.context.logger.error(`BigQuery refused ${this.stream.noun} ${id} (${attempts} of ${MAX_REFUSALS}): ${reason}`, { insert_id: id, reason });
      if (attempts >= MAX_REFUSALS) forGood.push({ ...item, reason: `refused by BigQuery ${attempts} times: ${reason}` });
      else again.push({ ...item, attempts });
    }
    await this.setAsideAll(forGood);
    await this.release(again);
    return true;
  }

  /** Rows found in the table are marked exported; the set holds them. Null when BigQuery failed (the export stops). */
  private async lookUp(items: Array<PendingItem<Row>>, signal: AbortSignal): Promise<Set<PendingItem<Row>> | null> {
    let keys: Set<string>;
    try {
      keys = await this.findInTable(items.map((item) => item.row), signal);
    } catch (error) {
      if (signal.aborted) this.stop('deadline');
      else {
        this.context.logger.warn(`BigQuery lookup of ${this.stream.noun}s that may have been sent failed: ${firstLine(error)}`, { rows: items.length });
        this.stop('bigquery');
      }
      return null;
    }
    const found = new Set(items.filter((item) => keys.has(this.stream.key(item.row))));
    if (found.size > 0) {
      this.context.logger.info(`found ${found.size} ${this.stream.noun}(s) already in BigQuery from an export cut short; marked exported`, { found: found.size, table: this.context.table.tableName });
      await this.markExported([...found]);
    }
    return found;
  }

  private async markSent<Item extends PendingItem<Row>>(items: Item[]): Promise<Item[]> {
    const { fields } = this.stream;
    const versions = await this.context.writes.apply(
      items.map((item) => ({
        ref: item.ref,
        version: item.version,
        change: { [fields.sent]: FieldValue.serverTimestamp() },
        recheck: (data: DocumentData) => this.stream.holds(data, item.row) && claimHolder(data[fields.claim], this.context.run, this.context.now()) === 'mine',
      })),
    );
    const marked: Item[] = [];
    items.forEach((item, index) => {
      const version = versions[index];
      if (version === null || version === undefined) this.left += 1;
      else marked.push({ ...item, version, sent: true });
    });
    return marked;
  }

  private async markExported(items: Array<PendingItem<Row>>): Promise<void> {
    const { fields } = this.stream;
    await this.context.writes.apply(
      items.map((item) => ({
        ref: item.ref,
        version: item.version,
        change: { [fields.exported]: true, [fields.exportedAt]: FieldValue.serverTimestamp(), [fields.claim]: FieldValue.delete() },
        recheck: (data: DocumentData) => this.stream.holds(data, item.row),
      })),
    );
    this.exported += items.length;
  }

  /** Hands this run's own rows back unexported, their claims released, so the next run exports them: the export stopped by `why` before them. */
  async handBack(own: ReadonlyArray<OwnRow<Row>>, why: Stop): Promise<void> {
    await this.giveBack(this.ownItems(own), why);
  }

  private ownItems(own: ReadonlyArray<OwnRow<Row>>): Array<PendingItem<Row>> {
    const items = own.map(({ row, version }): PendingItem<Row> => ({ ref: this.context.collection.doc(this.stream.documentId(row)), row, version, sent: false, attempts: 0 }));
    for (const item of items) this.handled.add(item.ref.id);
    return items;
  }

  /** Drops this run's claims, keeping the sent marks, so the next run exports the rows at once. */
  private async release(items: Array<PendingItem<Row>>): Promise<void> {
    const { fields } = this.stream;
    await this.context.writes.apply(
      items.map((item) => ({
        ref: item.ref,
        version: item.version,
        change: { [fields.claim]: FieldValue.delete(), ...(item.attempts > 0 ? { [fields.attempts]: item.attempts } : {}) },
        recheck: (data: DocumentData) => claimHolder(data[fields.claim], this.context.run, this.context.now()) === 'mine',
      })),
    );
    this.left += items.length;
  }

  /** Releases the rows and stops the export (by `why`, unless a reason is already known); false, for `return`. */
  private async giveBack(items: Array<PendingItem<Row>>, why?: Stop): Promise<false> {
    if (why !== undefined) this.stop(why);
    await this.release(items);
    return false;
  }

  /** Takes rows out of the outbox for good, with the reason: they are logged, counted and never read again. */
  private async setAsideAll(entries: Array<{ ref: DocumentReference; version: Timestamp | null; reason: string }>): Promise<void> {
    if (entries.length === 0) return;
    const { fields } = this.stream;
    await this.context.writes.apply(
      entries.map(({ ref, version, reason }) => ({
        ref,
        version,
        change: { [fields.exported]: FieldValue.delete(), [fields.claim]: FieldValue.delete(), [fields.error]: reason, [fields.setAsideAt]: FieldValue.serverTimestamp() },
        recheck: (data: DocumentData) => data[fields.exported] === false && claimHolder(data[fields.claim], this.context.run, this.context.now()) !== 'other',
      })),
    );
    for (const { ref, reason } of entries) this.context.logger.warn(`set aside ${this.stream.noun} ${ref.id}: ${reason}`, { healing_id: ref.id, reason });
    this.setAside += entries.length;
  }

  private serialize(item: PendingItem<Row>): string {
    return JSON.stringify({ insertId: this.stream.insertId(item.row), json: this.stream.toJson(item.row) });
  }

  private stop(why: Stop): void {
    this.stoppedBy ??= why;
  }
}

/** Waits `ms`; false when the signal fired first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
