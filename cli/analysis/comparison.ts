import { prematureRate } from '../../shared/stallRecommendation.js';
import { compareText, describeMinutes, percent } from '../wording.js';
import type { TimeToHeal } from './timeToHeal.js';

export type ChangeScope = 'total' | 'type' | 'cause';

/** One count then and now. `change_pct` is the change in percent of the previous count, null when that was 0. */
export interface Change {
  scope: ChangeScope;
  name: string | null;
  previous: number;
  current: number;
  change: number;
  change_pct: number | null;
}

/** What a window contributes to the comparison. */
export interface ComparedWindow {
  events: number;
  /** Events and failures per healing type. */
  types: ReadonlyMap<string, { events: number; failures: number }>;
  /** The window's own top causes, in rank order. */
  topCauses: readonly string[];
  /** Events per cause for every cause in the top of either window. */
  causeEvents: ReadonlyMap<string, number>;
  timeToHeal: TimeToHeal | null;
  /** Held and premature heals per healing type that gets verdicts. */
  verdicts: ReadonlyMap<string, { held: number; premature: number }>;
}

/** A change is worth a sentence from this many events, */
export const NOTABLE_CHANGE_EVENTS = 2;
/** and this many percent of the previous count. */
export const NOTABLE_CHANGE_PCT = 20;
/** A success rate moving this many points, with at least NOTABLE_RATE_EVENTS events in both windows, is worth a sentence. */
export const NOTABLE_RATE_POINTS = 0.1;
export const NOTABLE_RATE_EVENTS = 5;
/** A premature rate moving this many points, with at least NOTABLE_RATE_EVENTS held or premature heals in both windows, is worth a sentence. */
export const NOTABLE_PREMATURE_POINTS = 0.05;
/** A median time to heal moving this many percent, with at least NOTABLE_RATE_EVENTS heals in both windows, is worth a sentence. */
export const NOTABLE_TIME_TO_HEAL_PCT = 25;

/** The totals, then every type of either window (busiest now first), then every top cause of either window. */
export function changesBetween(previous: ComparedWindow, current: ComparedWindow): Change[] {
  const typeNames = [...new Set([...current.types.keys(), ...previous.types.keys()])].sort(
    (a, b) =>
      (current.types.get(b)?.events ?? 0) - (current.types.get(a)?.events ?? 0) ||
      (previous.types.get(b)?.events ?? 0) - (previous.types.get(a)?.events ?? 0) ||
      compareText(a, b),
  );
  const causeNames = [...new Set([...current.topCauses, ...previous.topCauses])];
  return [
    change('total', null, previous.events, current.events),
    ...typeNames.map((name) => change('type', name, previous.types.get(name)?.events ?? 0, current.types.get(name)?.events ?? 0)),
    ...causeNames.map((name) => change('cause', name, previous.causeEvents.get(name) ?? 0, current.causeEvents.get(name) ?? 0)),
  ];
}

function change(scope: ChangeScope, name: string | null, previous: number, current: number): Change {
  const difference = current - previous;
  return { scope, name, previous, current, change: difference, change_pct: previous === 0 ? null : Math.round((difference / previous) * 1000) / 10 };
}

/**
 * Sentences on what got worse, then what improved, against the previous window (`period` names its
 * length: "7 days"): counts that moved notably, success rates, the median time to heal and premature rates.
 */
export function comparisonAdvice(changes: readonly Change[], previous: ComparedWindow, current: ComparedWindow, period: string): string[] {
  const worse: string[] = [];
  const better: string[] = [];
  const against = `against the previous ${period}`;
  for (const item of changes) {
    if (!isNotable(item)) continue;
    const subject = item.scope === 'total' ? 'all healing' : item.scope === 'cause' ? `cause "${item.name}"` : item.name!;
    if (item.previous === 0) worse.push(`${subject} is new: ${item.current} events, none in the previous ${period}`);
    else if (item.current === 0) better.push(`${subject} stopped: no events, ${item.previous} in the previous ${period}`);
    else {
      const sentence = `${subject} ${item.change > 0 ? 'up' : 'down'} ${Math.abs(Math.round(item.change_pct!))}% ${against} (${item.previous} then, ${item.current} now)`;
      (item.change > 0 ? worse : better).push(sentence);
    }
  }
  for (const [name, now] of current.types) {
    const then = previous.types.get(name);
    if (then === undefined || now.events < NOTABLE_RATE_EVENTS || then.events < NOTABLE_RATE_EVENTS) continue;
    const [rateThen, rateNow] = [successRate(then), successRate(now)];
    if (Math.abs(rateNow - rateThen) < NOTABLE_RATE_POINTS) continue;
    const sentence = `${name} success rate ${rateNow > rateThen ? 'rose' : 'fell'} from ${percent(rateThen)} to ${percent(rateNow)} ${against}`;
    (rateNow > rateThen ? better : worse).push(sentence);
  }
  const [healedThen, healedNow] = [previous.timeToHeal, current.timeToHeal];
  if (healedThen && healedNow && healedThen.heals >= NOTABLE_RATE_EVENTS && healedNow.heals >= NOTABLE_RATE_EVENTS && healedThen.median_minutes > 0) {
    const pct = ((healedNow.median_minutes - healedThen.median_minutes) / healedThen.median_minutes) * 100;
    if (Math.abs(pct) >= NOTABLE_TIME_TO_HEAL_PCT) {
      const sentence =
        `stalled batches waited ${pct > 0 ? 'longer' : 'less'} before healing: median ${describeMinutes(healedNow.median_minutes)}, ` +
        `${describeMinutes(healedThen.median_minutes)} in the previous ${period}`;
      (pct > 0 ? worse : better).push(sentence);
    }
  }
  for (const [name, now] of current.verdicts) {
    const then = previous.verdicts.get(name);
    if (then === undefined || now.held + now.premature < NOTABLE_RATE_EVENTS || then.held + then.premature < NOTABLE_RATE_EVENTS) continue;
    const [rateThen, rateNow] = [prematureRate(then.held, then.premature)!, prematureRate(now.held, now.premature)!];
    if (Math.abs(rateNow - rateThen) < NOTABLE_PREMATURE_POINTS) continue;
    const sentence = `${name} premature rate ${rateNow > rateThen ? 'rose' : 'fell'} from ${percent(rateThen)} to ${percent(rateNow)} ${against}`;
    (rateNow > rateThen ? worse : better).push(sentence);
  }
  return [...worse.map((sentence) => `Worse: ${sentence}`), ...better.map((sentence) => `Better: ${sentence}`)];
}

function isNotable(item: Change): boolean {
  if (Math.abs(item.change) < NOTABLE_CHANGE_EVENTS) return false;
  return item.change_pct === null || Math.abs(item.change_pct) >= NOTABLE_CHANGE_PCT;
}

function successRate(counts: { events: number; failures: number }): number {
  return (counts.events - counts.failures) / counts.events;
}
