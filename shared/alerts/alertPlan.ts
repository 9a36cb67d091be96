import type { PatternCounts, VerdictCounts } from './alertLevel.js';
import { type AlertKind, KIND_SEVERITY } from './AlertState.js';

/** At most this many alert messages go out in one run; the other alerts share one roll-up message. */
export const MAX_ALERT_MESSAGES = 10;

/** An alert a run may send: its type, kind, and the figures that raised it. */
export interface DueAlert {
  healingType: string;
  kind: AlertKind;
  counts?: PatternCounts;
  verdicts?: VerdictCounts;
}

/** Worst first: by kind (safety brake, critical, red, premature, yellow), then by how much happened, then by name. */
export function worstFirst(a: DueAlert, b: DueAlert): number {
  return KIND_SEVERITY[b.kind] - KIND_SEVERITY[a.kind] || volume(b) - volume(a) || (a.healingType < b.healingType ? -1 : a.healingType > b.healingType ? 1 : 0);
}

/** Which alerts get a message of their own (the worst `max`) and which are named in the roll-up. */
export function planMessages<T extends DueAlert>(alerts: readonly T[], max = MAX_ALERT_MESSAGES): { own: T[]; rolledUp: T[] } {
  const sorted = [...alerts].sort(worstFirst);
  return { own: sorted.slice(0, max), rolledUp: sorted.slice(max) };
}

function volume({ kind, counts, verdicts }: DueAlert): number {
  if (kind === 'premature') return verdicts?.premature ?? 0;
  return counts?.lastDay ?? 0;
}
