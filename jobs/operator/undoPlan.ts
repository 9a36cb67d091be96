import type { DocumentData } from '@google-cloud/firestore';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import { toDateOrNull } from '../batchDocument.js';
import { progressMinutes } from '../verdicts/decideVerdict.js';
import { VERDICT_DUE_FIELD, VERDICT_FIELDS } from '../../shared/outbox/verdictDocument.js';

/** A field the undo deletes. */
export const REMOVED = Symbol('removed');
/** A time the undo takes from Firestore's clock when it commits. */
export const SERVER_TIME = Symbol('server time');

/** One field the undo changes on the batch or on the heal's event, as it is and as it will be. */
export interface FieldChange {
  document: 'batch' | 'event';
  field: string;
  /** undefined when the field is absent. */
  before: unknown;
  after: unknown;
}

export interface UndoRequest {
  healingId: string;
  by: string;
  reason: string;
}

/** A heal as its event tells it: where its batch is, and what the verdict needs. */
export interface RecordedHeal {
  healingId: string;
  batchCollection: string;
  batchId: string;
  healedAt: Date | null;
  stallMinutes: number | null;
  /** Players complete when the heal wrote the batch (after_state.completed). */
  completedAtHeal: number | null;
  event: DocumentData;
}

export type Refusal = { undo: false; reason: string };
export type UndoPlan = { undo: true; heal: RecordedHeal; changes: FieldChange[]; completed: number; expected: number };

/** The verdict's export state beside `verdict_exported` (the outbox's verdict fields): a new verdict is exported afresh. */
const VERDICT_EXPORT_STATE = Object.values(VERDICT_FIELDS).filter((field) => field !== VERDICT_FIELDS.exported);
/** What the heal wrote on the batch besides is_complete and updated_at. */
const HEAL_FIELDS = ['completion_time', 'auto_completed', 'auto_completion_reason', 'healing_id'];

/** Reads the heal from its event document, or says why it is not a heal that can be undone. */
export function readRecordedHeal(healingId: string, event: DocumentData | undefined, eventCollection: string): { heal: RecordedHeal } | Refusal {
  if (event === undefined) return refuse(`no healing event with this id in ${eventCollection}`);
  if (event.healing_type !== BATCH_CLEANUP) return refuse(`it is a ${String(event.healing_type)} heal; only ${BATCH_CLEANUP} heals can be undone`);
  if (event.success !== true) return refuse('the heal failed; there is nothing to undo');
  if (event.verdict?.verdict === 'undone') {
    const at = toDateOrNull(event.verdict.checked_at);
    return refuse(`already undone by ${String(event.verdict.actor ?? 'someone')}${at ? ` at ${at.toISOString()}` : ''}: ${String(event.verdict.reason ?? '')}`);
  }
  const metadata = event.metadata;
  const batchId = metadata?.batch_id;
  const batchCollection = metadata?.batch_collection;
  if (typeof batchId !== 'string' || batchId === '' || batchId.includes('/') || typeof batchCollection !== 'string' || batchCollection === '' || batchCollection.includes('/')) {
    return refuse('the event does not name its batch (metadata.batch_id and metadata.batch_collection)');
  }
  return {
    heal: {
      healingId,
      batchCollection,
      batchId,
      healedAt: toDateOrNull(event.timestamp),
      stallMinutes: finite(event.before_state?.stall_minutes),
      completedAtHeal: finite(event.after_state?.completed),
      event,
    },
  };
}

/**
 * What undoing the heal changes, or why it must not: the batch must still carry this heal
 * (`healing_id`, `is_complete == true`) and must not have completed on its own. The batch becomes
 * running again with the players it has now, its stall clock restarted; the event gets the verdict
 * `undone`, pending for BigQuery.
 */
export function planUndo(heal: RecordedHeal, batch: DocumentData | undefined, request: UndoRequest): UndoPlan | Refusal {
  const name = `batch ${heal.batchId}`;
  if (batch === undefined) return refuse(`${name} no longer exists in ${heal.batchCollection}`);
  if (batch.healing_id !== heal.healingId) {
    return refuse(typeof batch.healing_id === 'string' ? `${name} was healed again since: it now carries healing_id ${batch.healing_id}` : `${name} no longer carries this heal (it has no healing_id)`);
  }
  if (batch.is_complete !== true) return refuse(`${name} is no longer complete`);
  const completed = Array.isArray(batch.completed_players) ? batch.completed_players.length : null;
  const expected = typeof batch.expected_players === 'number' ? batch.expected_players : null;
  if (completed === null || expected === null) return refuse(`${name} has no completed_players array or expected_players number`);
  if (completed >= expected) return refuse(`${name} completed on its own (${completed} of ${expected} players)`);

  const changes: FieldChange[] = [];
  const onBatch = (field: string, after: unknown) => changes.push({ document: 'batch', field, before: batch[field], after });
  const onEvent = (field: string, after: unknown) => changes.push({ document: 'event', field, before: heal.event[field], after });
  onBatch('is_complete', false);
  for (const field of HEAL_FIELDS) if (field in batch) onBatch(field, REMOVED);
  onBatch('updated_at', SERVER_TIME);
  onBatch('healing_undone', { healing_id: heal.healingId, at: SERVER_TIME, by: request.by, reason: request.reason });
  onEvent('verdict', {
    verdict: 'undone',
    checked_at: SERVER_TIME,
    healed_at: heal.healedAt,
    stall_minutes: heal.stallMinutes,
    late_players: heal.completedAtHeal === null ? null : Math.max(0, completed - heal.completedAtHeal),
    progress_after_minutes: progressAfterMinutes(batch),
    actor: request.by,
    reason: request.reason,
  });
  onEvent(VERDICT_FIELDS.exported, false);
  for (const field of [...VERDICT_EXPORT_STATE, VERDICT_DUE_FIELD]) if (field in heal.event) onEvent(field, REMOVED);
  return { undo: true, heal, changes, completed, expected };
}

/** Minutes from the heal's write to progress written after it, or null when there was none. */
function progressAfterMinutes(batch: DocumentData): number | null {
  const healed = toDateOrNull(batch.completion_time);
  const updated = toDateOrNull(batch.updated_at);
  if (healed === null || updated === null || updated.getTime() <= healed.getTime()) return null;
  return progressMinutes(updated.getTime() - healed.getTime());
}

function refuse(reason: string): Refusal {
  return { undo: false, reason };
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
