import { describeStallRecommendation, type StallRecommendation } from '../../shared/stallRecommendation.js';
import { count, percent, span } from '../wording.js';
import type { VerdictSummary } from './verdicts.js';

/** Below this success rate a healing type is reported as unreliable. */
export const LOW_SUCCESS_RATE = 0.8;
/** From this many events per day (averaged over the window) a type is reported as frequent; the job's red alert uses 10 in 24 hours. */
export const FREQUENT_PER_DAY = 10;
/** A type needs at least this many events in the window to count as frequent. */
export const FREQUENT_MIN_EVENTS = 3;
/** A type is rising when the second half of the window has this many times the events of the first half, */
export const RISING_FACTOR = 2;
/** and at least this many more events. */
export const RISING_MIN_INCREASE = 3;

/** What the recommendations look at for one healing type. */
export interface TypeActivity {
  healing_type: string;
  events: number;
  failures: number;
  /** Events in the first and the second half of the window. */
  earlier_events: number;
  later_events: number;
  top_cause: { cause: string; events: number } | null;
}

/** Advice in order of urgency: broken healing, unreliable healing, frequent healing, rising healing. */
export function recommend(types: readonly TypeActivity[], windowHours: number): string[] {
  const failing = types.filter((type) => type.events > 0 && type.failures === type.events);
  const unreliable = types.filter((type) => type.failures < type.events && successRate(type) < LOW_SUCCESS_RATE);
  const perDay = (type: TypeActivity) => type.events / (windowHours / 24);
  const frequent = types.filter((type) => type.events >= FREQUENT_MIN_EVENTS && perDay(type) >= FREQUENT_PER_DAY);
  const rising = types.filter(
    (type) => type.later_events >= type.earlier_events * RISING_FACTOR && type.later_events - type.earlier_events >= RISING_MIN_INCREASE,
  );
  return [
    ...failing.map(
      (type) =>
        `${type.healing_type} failed every time (${type.events} of ${type.events} events): the healing action itself is broken; ` +
        `see why with ${exportHint(type.healing_type)}`,
    ),
    ...unreliable.map(
      (type) =>
        `${type.healing_type} succeeded in only ${percent(successRate(type))} of ${type.events} events (${type.failures} failed): ` +
        `see why with ${exportHint(type.healing_type)}`,
    ),
    ...frequent.map(
      (type) =>
        `${type.healing_type} healed ${type.events} times in ${span(windowHours)} (about ${Math.round(perDay(type))} a day): ` +
        `frequent healing hides a recurring fault` +
        (type.top_cause ? `; fix its main cause "${type.top_cause.cause}" (${share(type.top_cause.events, type.events)})` : ''),
    ),
    ...rising.map(
      (type) =>
        `${type.healing_type} is rising: ${type.earlier_events} events in the first half of the window, ${type.later_events} in the second; ` +
        `find what changed`,
    ),
  ];
}

/**
 * Premature heals per type (workers wrote to batches after the heal declared them complete), then the
 * SPEC's sentence on what raising STALL_MINUTES would have avoided, when that raises it.
 */
export function verdictAdvice(verdicts: readonly VerdictSummary[], stallRecommendation: StallRecommendation | null): string[] {
  const premature = verdicts
    .filter((verdict) => verdict.premature > 0)
    .map(
      (verdict) =>
        `${verdict.healing_type} healed ${count(verdict.premature)} ${verdict.premature === 1 ? 'batch' : 'batches'} too early ` +
        `(${percent(verdict.premature_rate!)} of ${count(verdict.held + verdict.premature)} held or premature): ` +
        `workers added ${count(verdict.late_players)} ${verdict.late_players === 1 ? 'player' : 'players'} after the heal`,
    );
  const raise =
    stallRecommendation !== null && stallRecommendation.recommended_minutes > stallRecommendation.current_minutes ? [describeStallRecommendation(stallRecommendation)] : [];
  return [...premature, ...raise];
}

function share(part: number, whole: number): string {
  return part === whole ? `all ${whole} events` : `${part} of ${whole} events`;
}

function successRate(type: TypeActivity): number {
  return (type.events - type.failures) / type.events;
}

function exportHint(healingType: string): string {
  const file = `${healingType.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`;
  return `--type ${shellWord(healingType)} --export ${file}`;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_.:,/=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
