import type { DocumentData } from '@google-cloud/firestore';
import type { QueryParameter } from '../bigQueryTable.js';

/** The fields of one stream's outbox state on a document. */
export interface OutboxFields {
  /** `false` while the row is pending for BigQuery, `true` once it is there; removed when set aside. */
  exported: string;
  exportedAt: string;
  /** `{ run, expires_at }`: the run exporting the row, until when. */
  claim: string;
  /** How many times BigQuery refused the row for good. */
  attempts: string;
  /** Why the row was set aside, and when. */
  error: string;
  setAsideAt: string;
  /** When a run last marked that the row's insert may have been sent: the row may be in the table already. */
  sent: string;
}

export type RowRead<Row> = { ok: true; row: Row } | { ok: false; reason: string };

/** How the lookup finds rows already in the table: a partition-pruned query and the key of each answer. */
export interface Lookup {
  sql: string;
  parameters: QueryParameter[];
}

/**
 * One kind of row the outbox exports from Firestore documents to a BigQuery table: healing events,
 * heal verdicts. The outbox claims, reads, sizes, sets aside, looks up and exports every stream the
 * same way; a stream says where its state sits on the document and what its row is.
 */
export interface OutboxStream<Row> {
  /** What a row is, in log lines: `healing event`, `heal verdict`. */
  noun: string;
  fields: OutboxFields;
  /** Reads a pending document leniently; the reason when it cannot. Pure. */
  read(documentId: string, data: DocumentData): RowRead<Row>;
  /** Whether the document still holds this row as pending (a verdict given since is another row). */
  holds(data: DocumentData, row: Row): boolean;
  /** The id of the Firestore document holding the row: its healing_id. */
  documentId(row: Row): string;
  /** BigQuery's insert id of the row. */
  insertId(row: Row): string;
  /** The row as BigQuery takes it. */
  toJson(row: Row): Record<string, unknown>;
  healingType(row: Row): string;
  /** The query over `table` (a qualified SQL name) answering the keys of those rows already in it. */
  lookup(rows: Row[], table: string): Lookup;
  /** The key of a row, and of an answer of the lookup query. */
  key(row: Row): string;
  foundKey(values: Array<string | null>): string;
}
