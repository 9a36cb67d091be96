import type { Batch } from './batchDocument.js';

/** Stable root-cause categories of a stalled batch, for aggregation. */
export type BatchRootCause = 'player_failures' | 'worker_error' | 'stalled_batch';

/** As specific as the batch document allows; `stalled_batch` when it says nothing more. */
export function batchRootCause(batch: Batch): BatchRootCause {
  if (batch.failedPlayers > 0) return 'player_failures';
  if (batch.lastError !== null) return 'worker_error';
  return 'stalled_batch';
}
