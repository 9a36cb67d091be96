import type { DocumentData } from '@google-cloud/firestore';
import { toDateOrNull } from '../batchDocument.js';

/** A pause of healing an operator set (`auto-batch-cleanup pause`). */
export interface Pause {
  reason: string;
  by: string;
  at: Date | null;
  /** When the pause ends by itself; null until someone resumes. */
  until: Date | null;
  /** When a run last logged the pause at WARNING. */
  warnedAt: Date | null;
}

/** A batch an operator took out of healing (`auto-batch-cleanup exclude`). */
export interface Exclusion {
  batchId: string;
  reason: string;
  by: string;
  at: Date | null;
  until: Date;
}

/** A pause is logged at WARNING once per this period, at INFO in between. */
export const PAUSE_WARNING_INTERVAL_MS = 3_600_000;

/** A pause in words: `by alice since 2026-11-22T10:00:00.000Z until 2026-11-22T11:30:00.000Z: deploying the worker fix`, times written by `time`. */
export function describePause(pause: Pause, time: (date: Date) => string = (date) => date.toISOString()): string {
  return `by ${pause.by || 'an operator'}${pause.at ? ` since ${time(pause.at)}` : ''}${pause.until ? ` until ${time(pause.until)}` : ' until resumed'}: ${pause.reason}`;
}

/** The pause in force at `now`, read from the pause document's data; undefined while healing runs. */
export function activePause(data: DocumentData | undefined, now: Date): Pause | undefined {
  if (data?.paused !== true) return undefined;
  const until = toDateOrNull(data.until);
  if (until !== null && until.getTime() <= now.getTime()) return undefined;
  return { reason: text(data.reason), by: text(data.by), at: toDateOrNull(data.at), until, warnedAt: toDateOrNull(data.warned_at) };
}

/** Whether a run should log the pause at WARNING (none did within the last hour) rather than INFO. */
export function pauseWarningDue(pause: Pause, now: Date): boolean {
  return pause.warnedAt === null || now.getTime() - pause.warnedAt.getTime() >= PAUSE_WARNING_INTERVAL_MS;
}

/** An exclusion document's data, or undefined when it is not one. */
export function readExclusion(data: DocumentData | undefined): Exclusion | undefined {
  const until = toDateOrNull(data?.until);
  if (data === undefined || typeof data.batch_id !== 'string' || until === null) return undefined;
  return { batchId: data.batch_id, reason: text(data.reason), by: text(data.by), at: toDateOrNull(data.at), until };
}

/** Splits stalled batches into those the run may heal and those an exclusion in force keeps out. */
export function withoutExcluded<T extends { id: string }>(stalled: readonly T[], exclusions: ReadonlyMap<string, Exclusion>): { healable: T[]; excluded: Array<{ batch: T; exclusion: Exclusion }> } {
  const healable: T[] = [];
  const excluded: Array<{ batch: T; exclusion: Exclusion }> = [];
  for (const batch of stalled) {
    const exclusion = exclusions.get(batch.id);
    if (exclusion === undefined) healable.push(batch);
    else excluded.push({ batch, exclusion });
  }
  return { healable, excluded };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
