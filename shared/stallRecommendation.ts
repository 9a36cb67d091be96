/** A premature heal as the recommendation needs it: the rule it was healed under and when the worker came back. */
export interface PrematureHeal {
  /** Minutes the batch had been without progress when it was healed (`before_state.stall_minutes`). */
  stall_minutes: number;
  /** Minutes from the heal to the batch's next progress (`verdict.progress_after_minutes`). */
  progress_after_minutes: number;
}

/** What raising STALL_MINUTES would have changed over a set of premature heals. */
export interface StallRecommendation {
  current_minutes: number;
  recommended_minutes: number;
  premature_avoided: number;
  premature_total: number;
  added_minutes_per_heal: number;
}

/** Fewer premature heals than this make no recommendation. */
export const MIN_PREMATURE_FOR_RECOMMENDATION = 3;
/** The recommended rule avoids at least this share of the premature heals. */
export const AVOIDED_SHARE = 0.9;

/**
 * A premature heal would have been avoided by a stall rule longer than `stall_minutes +
 * progress_after_minutes`, the longest its worker can have been silent. The recommendation is the
 * smallest whole number of minutes that avoids at least 90% of the heals; null with fewer than 3.
 */
export function recommendStallMinutes(heals: readonly PrematureHeal[], currentMinutes: number): StallRecommendation | null {
  const silences = heals
    .map((heal) => heal.stall_minutes + heal.progress_after_minutes)
    .filter((minutes) => Number.isFinite(minutes) && minutes >= 0)
    .sort((a, b) => a - b);
  if (silences.length < MIN_PREMATURE_FOR_RECOMMENDATION) return null;
  const needed = Math.ceil(AVOIDED_SHARE * silences.length - 1e-9);
  const recommended = Math.floor(silences[needed - 1]!) + 1;
  return {
    current_minutes: currentMinutes,
    recommended_minutes: recommended,
    premature_avoided: silences.filter((minutes) => minutes < recommended).length,
    premature_total: silences.length,
    added_minutes_per_heal: recommended - currentMinutes,
  };
}

/** premature / (held + premature); null when both are 0. */
export function prematureRate(held: number, premature: number): number | null {
  return held + premature === 0 ? null : premature / (held + premature);
}

/** The recommendation as one sentence, for reports, digests and alerts. */
export function describeStallRecommendation(recommendation: StallRecommendation): string {
  const { current_minutes: current, recommended_minutes: recommended, premature_avoided: avoided, premature_total: total, added_minutes_per_heal: added } = recommendation;
  return `raising STALL_MINUTES from ${current} to ${recommended} would have avoided ${avoided} of ${total} premature heals; every heal would wait ${added} minutes longer`;
}
