import type { Batch } from './batchDocument.js';

/** The thresholds that make a batch stalled (the job's STALL_MINUTES, MIN_COMPLETION_PCT, MAX_AGE_HOURS). */
export interface StallRule {
  stallMinutes: number;
  minCompletionPct: number;
  maxAgeHours: number;
}

export type StallDecision = { stalled: true } | { stalled: false; reason: string };

/**
 * Stalled: not complete, created within maxAgeHours, no progress for at least stallMinutes,
 * and at least minCompletionPct complete. Both boundaries are inclusive.
 */
export function isStalled(batch: Batch, rule: StallRule, now: Date): StallDecision {
  if (batch.isComplete) return { stalled: false, reason: 'already complete' };
  if (now.getTime() - batch.createdAt.getTime() > rule.maxAgeHours * 3_600_000) {
    return { stalled: false, reason: `created more than ${rule.maxAgeHours} hours ago` };
  }
  if (stallMs(batch, now) < rule.stallMinutes * 60_000) {
    return { stalled: false, reason: `progressed within the last ${rule.stallMinutes} minutes` };
  }
  // Compare in whole numbers where possible: 27/30 must count as exactly 90%.
  if (batch.completedPlayers * 100 < rule.minCompletionPct * batch.expectedPlayers) {
    return { stalled: false, reason: `below ${rule.minCompletionPct}% complete` };
  }
  return { stalled: true };
}

export function completionPct(batch: Batch): number {
  return (batch.completedPlayers / batch.expectedPlayers) * 100;
}

export function stallMinutes(batch: Batch, now: Date): number {
  return stallMs(batch, now) / 60_000;
}

function stallMs(batch: Batch, now: Date): number {
  return Math.max(0, now.getTime() - batch.updatedAt.getTime());
}
