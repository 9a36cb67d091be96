import type { AnalysisRow } from '../../cli/analysis/analysisQuery.js';

/** One row as the analysis query returns it: every column null or 0 but `kind` and the given fields. */
export const analysisRow = (kind: AnalysisRow['kind'], fields: Partial<AnalysisRow> = {}): AnalysisRow => ({
  kind,
  period: 'current',
  healing_type: null,
  cause: null,
  verdict: null,
  position: null,
  events: 0,
  failures: 0,
  later_events: null,
  late_players: null,
  median_minutes: null,
  p95_minutes: null,
  stall_minutes: null,
  progress_after_minutes: null,
  ...fields,
});
