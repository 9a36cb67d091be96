import type { AnalysisRow, Period } from './analysisQuery.js';

/** Minutes from a batch's last progress to its successful heal, over the heals of one window. */
export interface TimeToHeal {
  heals: number;
  median_minutes: number;
  p95_minutes: number;
}

/** The period's time_to_heal row as the report shows it (minutes to one decimal); null without heals. */
export function timeToHealOf(rows: readonly AnalysisRow[], period: Period): TimeToHeal | null {
  const row = rows.find((candidate) => candidate.kind === 'time_to_heal' && candidate.period === period);
  if (row === undefined || row.events === 0 || row.median_minutes === null || row.p95_minutes === null) return null;
  return { heals: row.events, median_minutes: tenths(row.median_minutes), p95_minutes: tenths(row.p95_minutes) };
}

function tenths(value: number): number {
  return Math.round(value * 10) / 10;
}
