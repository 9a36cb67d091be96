/** A successful batch heal awaiting its verdict, as its healing event recorded it. */
export interface HealUnderReview {
  healingId: string;
  healingType: string;
  /** The event's timestamp: the run's time when it healed, taken before the heal's write. */
  healedAt: Date;
  /** Players completed when healed (`after_state.completed`); null when the event does not say. */
  completedAtHeal: number | null;
  /** Minutes the batch had been without progress when healed (`before_state.stall_minutes`). */
  stallMinutes: number | null;
  batchId: string;
  batchCollection: string;
}

/** The healed batch as read now. */
export interface BatchNow {
  /** Length of `completed_players`; null when it is not an array. */
  completedPlayers: number | null;
  updatedAt: Date | null;
  /** `completion_time`: the heal's own write, in server time. */
  completionTime: Date | null;
  /** The heal the batch carries (`healing_id`). */
  healingId: string | null;
}

/** The verdicts the job gives; `undone` is an operator's. */
export type GivenVerdict = 'held' | 'premature' | 'gone';
export type VerdictCounts = Record<GivenVerdict, number>;

export type VerdictDecision =
  | { verdict: 'open' }
  | { verdict: 'held' }
  | { verdict: 'gone' }
  | {
      verdict: 'premature';
      /** Players added after the heal; null when the heal did not record its count. */
      latePlayers: number | null;
      /** Minutes from the heal's write to the batch's `updated_at` as seen (0 when only players were added). */
      progressAfterMinutes: number;
    };

/**
 * Did the heal hold? `batchNow` is null when the batch document no longer exists (`gone`).
 * `premature`: progress was written after the heal: more completed players than at the heal, or an
 * `updated_at` later than the heal's own write (the batch's `completion_time`, the same server time
 * as the `updated_at` the heal wrote; the event's time where the batch no longer carries this heal).
 * `held`: no such progress `verifyMinutes` after the heal's write. Otherwise still `open`. Pure.
 */
export function decideVerdict(heal: HealUnderReview, batchNow: BatchNow | null, now: Date, { verifyMinutes }: { verifyMinutes: number }): VerdictDecision {
  if (batchNow === null) return { verdict: 'gone' };
  const carriesThisHeal = batchNow.healingId === heal.healingId && batchNow.completionTime !== null;
  const healWrite = carriesThisHeal ? batchNow.completionTime! : heal.healedAt;
  const added = batchNow.completedPlayers !== null && heal.completedAtHeal !== null ? batchNow.completedPlayers - heal.completedAtHeal : null;
  const progressMs = batchNow.updatedAt === null ? 0 : batchNow.updatedAt.getTime() - healWrite.getTime();
  if ((added ?? 0) > 0 || progressMs > 0) {
    return {
      verdict: 'premature',
      latePlayers: added === null ? null : Math.max(0, added),
      progressAfterMinutes: progressMinutes(progressMs),
    };
  }
  // Nothing to compare with: a batch whose progress cannot be read is left open.
  if (batchNow.updatedAt === null && added === null) return { verdict: 'open' };
  if (now.getTime() - healWrite.getTime() >= verifyMinutes * 60_000) return { verdict: 'held' };
  return { verdict: 'open' };
}

/** `progress_after_minutes` of a verdict: milliseconds from the heal's write to later progress, in minutes to 0.01. */
export function progressMinutes(ms: number): number {
  return Math.round(Math.max(0, ms) / 600) / 100;
}
