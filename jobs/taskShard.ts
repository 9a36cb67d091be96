import { createHash } from 'node:crypto';

/** Whether this Cloud Run task owns the batch: every batch belongs to exactly one of `taskCount` tasks. */
export function ownsBatch(batchId: string, taskIndex: number, taskCount: number): boolean {
  if (taskCount <= 1) return true;
  const bucket = createHash('sha256').update(batchId).digest().readUInt32BE(0) % taskCount;
  return bucket === taskIndex;
}
