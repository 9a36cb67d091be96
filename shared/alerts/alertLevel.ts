import { prematureRate } from '../stallRecommendation.js';

export type AlertLevel = 'yellow' | 'red' | 'critical';

/** How often one healing type happened recently, from the events in Firestore. */
export interface PatternCounts {
  lastHour: number;
  lastDay: number;
  failuresLastDay: number;
}

export const YELLOW_EVENTS_PER_HOUR = 3;
export const RED_EVENTS_PER_DAY = 10;
export const CRITICAL_FAILURE_RATE = 0.2;
export const CRITICAL_MIN_EVENTS = 5;

export const LEVEL_RANK: Record<AlertLevel, number> = { yellow: 1, red: 2, critical: 3 };

/** The highest alert level the counts reach, or null when healing is within normal bounds. */
export function alertLevel(counts: PatternCounts): AlertLevel | null {
  if (counts.lastDay >= CRITICAL_MIN_EVENTS && counts.failuresLastDay / counts.lastDay > CRITICAL_FAILURE_RATE) {
    return 'critical';
  }
  if (counts.lastDay >= RED_EVENTS_PER_DAY) return 'red';
  if (counts.lastHour >= YELLOW_EVENTS_PER_HOUR) return 'yellow';
  return null;
}

/** One healing type's verdicts given in the last 24 hours, from the events in Firestore. */
export interface VerdictCounts {
  held: number;
  premature: number;
  /** Players written to the batches after their premature heals. */
  latePlayers: number;
}

export const PREMATURE_ALERT_RATE = 0.1;
export const PREMATURE_ALERT_MIN_VERDICTS = 5;

/** `premature` is raised when premature / (held + premature) is above 10% with at least 5 such verdicts. */
export function prematureAlert({ held, premature }: VerdictCounts): boolean {
  const rate = prematureRate(held, premature);
  return held + premature >= PREMATURE_ALERT_MIN_VERDICTS && rate !== null && rate > PREMATURE_ALERT_RATE;
}
