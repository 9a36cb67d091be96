import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import { prematureRate, recommendStallMinutes, type PrematureHeal, type StallRecommendation } from '../../shared/stallRecommendation.js';
import { compareText } from '../wording.js';
import type { AnalysisRow, Period } from './analysisQuery.js';

const VERDICTS = ['held', 'premature', 'gone', 'undone'] as const;
type Verdict = (typeof VERDICTS)[number];

/** How the successful heals of one type in a window turned out, by their latest verdict. */
export interface VerdictSummary {
  healing_type: string;
  held: number;
  premature: number;
  gone: number;
  undone: number;
  /** Successful heals of the window without a verdict yet. */
  open: number;
  /** premature / (held + premature); null when both are 0. */
  premature_rate: number | null;
  /** Players added to batches after their premature heals. */
  late_players: number;
}

/**
 * One entry per healing type that gets verdicts (as the verdict table says) and healed successfully in
 * the window, busiest first. `successes` counts the window's successful heals per type.
 */
export function verdictSummaries(rows: readonly AnalysisRow[], period: Period, successes: ReadonlyMap<string, number>): VerdictSummary[] {
  const types = rows.filter((row) => row.kind === 'verdict_type').map((row) => row.healing_type!);
  const count = (type: string, verdict: Verdict) =>
    rows.find((row) => row.kind === 'verdict' && row.period === period && row.healing_type === type && row.verdict === verdict)?.events ?? 0;
  return types
    .filter((type) => (successes.get(type) ?? 0) > 0)
    .map((type): VerdictSummary => {
      const [held, premature, gone, undone] = VERDICTS.map((verdict) => count(type, verdict)) as [number, number, number, number];
      const latePlayers = rows
        .filter((row) => row.kind === 'premature' && row.period === period && row.healing_type === type)
        .reduce((sum, row) => sum + (row.late_players ?? 0), 0);
      return {
        healing_type: type,
        held,
        premature,
        gone,
        undone,
        open: Math.max(0, (successes.get(type) ?? 0) - held - premature - gone - undone),
        premature_rate: prematureRate(held, premature),
        late_players: latePlayers,
      };
    })
    .sort((a, b) => (successes.get(b.healing_type) ?? 0) - (successes.get(a.healing_type) ?? 0) || compareText(a.healing_type, b.healing_type));
}

/**
 * What raising STALL_MINUTES would have changed for the window's premature batch_cleanup heals; null
 * with fewer than 3 of them, or when no heal of the window recorded the rule it applied.
 */
export function stallRecommendationOf(rows: readonly AnalysisRow[]): StallRecommendation | null {
  const current = currentStallMinutes(rows);
  if (current === null) return null;
  const heals = rows
    .filter((row) => row.kind === 'premature' && row.period === 'current' && row.healing_type === BATCH_CLEANUP)
    .filter((row) => row.stall_minutes !== null && row.progress_after_minutes !== null)
    .flatMap((row) => Array.from({ length: row.events }, (): PrematureHeal => ({ stall_minutes: row.stall_minutes!, progress_after_minutes: row.progress_after_minutes! })));
  return recommendStallMinutes(heals, current);
}

/** The most common `metadata.rule.stall_minutes` of the window's batch_cleanup heals; a tie goes to the rule seen last, then the larger. */
function currentStallMinutes(rows: readonly AnalysisRow[]): number | null {
  const rules = rows
    .filter((row) => row.kind === 'stall_rule' && row.period === 'current' && row.stall_minutes !== null)
    .sort((a, b) => b.events - a.events || (b.position ?? 0) - (a.position ?? 0) || b.stall_minutes! - a.stall_minutes!);
  return rules[0]?.stall_minutes ?? null;
}
