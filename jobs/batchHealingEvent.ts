import { BATCH_CLEANUP } from '../shared/batchCleanup.js';
import { batchCleanupHealingId, type HealingEventInput } from '../shared/healingEvent.js';
import type { Batch } from './batchDocument.js';
import { batchRootCause } from './rootCause.js';
import { completionPct, stallMinutes, type StallRule } from './stallRule.js';

/** Who healed: the Cloud Run execution and task, recorded with every event. */
export interface RunIdentity {
  execution: string;
  taskIndex: number;
  taskCount: number;
}

export function triggerReason(batch: Batch, now: Date): string {
  return `Batch ${batch.id} stalled at ${completionPct(batch).toFixed(1)}% (${batch.completedPlayers}/${batch.expectedPlayers}) for ${stallMinutes(batch, now).toFixed(1)} minutes`;
}

export function beforeState(batch: Batch, now: Date): Record<string, unknown> {
  return {
    is_complete: batch.isComplete,
    completed: batch.completedPlayers,
    expected: batch.expectedPlayers,
    completion_pct: round(completionPct(batch)),
    stall_minutes: round(stallMinutes(batch, now)),
    game_date: batch.gameDate,
    created_at: batch.createdAt.toISOString(),
    updated_at: batch.updatedAt.toISOString(),
    failed_players: batch.failedPlayers,
    last_error: batch.lastError,
  };
}

/** The event of a successful heal, written in the same transaction as the batch. */
export function healedEvent(batch: Batch, now: Date, run: RunIdentity, collection: string, rule: StallRule): HealingEventInput {
  const missing = batch.expectedPlayers - batch.completedPlayers;
  return {
    healing_id: batchCleanupHealingId(batch.id, batch.updatedAt),
    timestamp: now,
    healing_type: BATCH_CLEANUP,
    trigger_reason: triggerReason(batch, now),
    root_cause: batchRootCause(batch),
    action_taken: `Marked batch ${batch.id} complete with ${missing} of ${batch.expectedPlayers} players missing`,
    before_state: beforeState(batch, now),
    after_state: {
      is_complete: true,
      auto_completed: true,
      completion_time: now.toISOString(),
      completed: batch.completedPlayers,
      expected: batch.expectedPlayers,
      completion_pct: round(completionPct(batch)),
    },
    success: true,
    metadata: metadata(batch, run, collection, rule),
  };
}

/** The event of a heal that failed: the batch is unchanged and the error is kept. */
export function failedEvent(batch: Batch, now: Date, run: RunIdentity, collection: string, rule: StallRule, error: string): HealingEventInput {
  return {
    healing_id: `${batchCleanupHealingId(batch.id, batch.updatedAt)}-failed-${now.getTime()}`,
    timestamp: now,
    healing_type: BATCH_CLEANUP,
    trigger_reason: triggerReason(batch, now),
    root_cause: batchRootCause(batch),
    action_taken: `Tried to mark batch ${batch.id} complete; failed: ${error}`,
    before_state: beforeState(batch, now),
    after_state: beforeState(batch, now),
    success: false,
    metadata: { ...metadata(batch, run, collection, rule), error },
  };
}

/** Text stored on the batch itself, saying why it was completed automatically. */
export function autoCompletionReason(batch: Batch, now: Date): string {
  return `${triggerReason(batch, now)}; completed automatically by auto-batch-cleanup`;
}

/** What every batch heal's event says of the batch, the run and the rule it applied. */
function metadata(batch: Batch, run: RunIdentity, collection: string, rule: StallRule): Record<string, unknown> {
  return {
    batch_id: batch.id,
    batch_collection: collection,
    missing_count: batch.expectedPlayers - batch.completedPlayers,
    game_date: batch.gameDate,
    execution: run.execution,
    task_index: run.taskIndex,
    task_count: run.taskCount,
    rule: { stall_minutes: rule.stallMinutes, min_completion_pct: rule.minCompletionPct },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
