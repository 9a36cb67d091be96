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
