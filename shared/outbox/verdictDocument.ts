import { FieldValue, Timestamp, type UpdateData, type DocumentData } from '@google-cloud/firestore';
import type { OutboxFields } from './OutboxStream.js';

/** The verdict map on a healing event document. */
export const VERDICT_FIELD = 'verdict';
/** `false` marks a verdict row not yet in BigQuery; the field is removed when the verdict is set aside. */
export const VERDICT_EXPORTED_FIELD = 'verdict_exported';
/** `true` on a successful batch heal awaiting its verdict: the job's verification query looks for it; giving a verdict removes it. */
export const VERDICT_DUE_FIELD = 'verdict_due';

export const VERDICT_FIELDS: OutboxFields = {
  exported: VERDICT_EXPORTED_FIELD,
  exportedAt: 'verdict_exported_at',
  claim: 'verdict_export_claim',
  attempts: 'verdict_export_attempts',
  error: 'verdict_export_error',
  setAsideAt: 'verdict_export_set_aside_at',
  sent: 'verdict_export_sent_at',
};

export const VERDICTS = ['held', 'premature', 'gone', 'undone'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

/** A verdict on a heal, as the event document keeps it under `verdict` (times as Firestore timestamps there). */
export interface HealVerdict {
  verdict: VerdictKind;
  checked_at: Date;
  /** The heal's time: its event's timestamp. */
  healed_at: Date;
  stall_minutes: number | null;
  late_players: number | null;
  progress_after_minutes: number | null;
  /** `undone`: who undid the heal, and why. */
  actor?: string;
  reason?: string;
}

/** One row of the verdicts table. */
export interface HealVerdictRow {
  healing_id: string;
  healing_type: string;
  verdict: VerdictKind;
  checked_at: Date;
  healed_at: Date | null;
  stall_minutes: number | null;
  late_players: number | null;
  progress_after_minutes: number | null;
  actor: string | null;
  reason: string | null;
}

/**
 * What a verdict writer sets on the event document, in the update of the transaction that gives the
 * verdict: the verdict, pending for BigQuery, with the export state of any earlier verdict removed,
 * so a second verdict (`undone` after `held`) is exported as a second row; the heal no longer
 * awaits a verdict.
 */
export function pendingVerdictFields(verdict: HealVerdict): UpdateData<DocumentData> {
  const map: DocumentData = {
    ...verdict,
    checked_at: Timestamp.fromDate(verdict.checked_at),
    healed_at: Timestamp.fromDate(verdict.healed_at),
  };
  for (const key of ['actor', 'reason'] as const) if (map[key] === undefined) delete map[key];
  const fields: UpdateData<DocumentData> = { [VERDICT_FIELD]: map, [VERDICT_EXPORTED_FIELD]: false, [VERDICT_DUE_FIELD]: FieldValue.delete() };
  for (const [name, field] of Object.entries(VERDICT_FIELDS)) if (name !== 'exported') fields[field] = FieldValue.delete();
  return fields;
}

/** The BigQuery row: timestamps as ISO 8601 text. */
export function toVerdictJson(row: HealVerdictRow): Record<string, unknown> {
  return {
    ...row,
    checked_at: row.checked_at.toISOString(),
    healed_at: row.healed_at === null ? null : row.healed_at.toISOString(),
  };
}

/** The insert id of a verdict row: one per heal and verdict. */
export function verdictInsertId(row: Pick<HealVerdictRow, 'healing_id' | 'verdict'>): string {
  return `${row.healing_id}:${row.verdict}`;
}
