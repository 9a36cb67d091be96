import { Timestamp } from '@google-cloud/firestore';

/** A prediction batch as the job needs it, read from its Firestore document. */
export interface Batch {
  id: string;
  isComplete: boolean;
  createdAt: Date;
  updatedAt: Date;
  expectedPlayers: number;
  completedPlayers: number;
  gameDate: string | null;
  /** Optional hints the pipeline may leave on a batch; they sharpen the root cause. */
  failedPlayers: number;
  lastError: string | null;
}

export type ParsedBatch = { ok: true; batch: Batch } | { ok: false; id: string; reason: string };

/** Timestamps this far ahead of the job's clock are still taken as now (clock skew between writers). */
export const CLOCK_SKEW_MS = 60_000;

/** Reads a batch document, or says why it does not fit the batch schema. Never throws. */
export function parseBatch(id: string, data: Record<string, unknown> | undefined, now: Date): ParsedBatch {
  const fail = (reason: string): ParsedBatch => ({ ok: false, id, reason });
  if (data === undefined) return fail('document has no data');
  if (typeof data.is_complete !== 'boolean') return fail(`is_complete is ${describe(data.is_complete)}, expected a boolean`);
  const createdAt = toDate(data.created_at);
  if (createdAt === undefined) return fail(`created_at is ${describe(data.created_at)}, expected a timestamp`);
  const updatedAt = toDate(data.updated_at);
  if (updatedAt === undefined) return fail(`updated_at is ${describe(data.updated_at)}, expected a timestamp`);
  const expected = data.expected_players;
  if (typeof expected !== 'number' || !Number.isInteger(expected)) {
    return fail(`expected_players is ${describe(expected)}, expected a whole number`);
  }
  if (expected <= 0) return fail(`expected_players is ${expected}, expected more than 0`);
  if (!Array.isArray(data.completed_players)) {
    return fail(`completed_players is ${describe(data.completed_players)}, expected an array`);
  }
  const completed = data.completed_players.length;
  if (completed > expected) return fail(`completed_players has ${completed} entries, more than expected_players (${expected})`);
  const latest = now.getTime() + CLOCK_SKEW_MS;
  if (createdAt.getTime() > latest) return fail(`created_at ${createdAt.toISOString()} is in the future`);
  if (updatedAt.getTime() > latest) return fail(`updated_at ${updatedAt.toISOString()} is in the future`);
  if (data.game_date !== undefined && data.game_date !== null && typeof data.game_date !== 'string') {
    return fail(`game_date is ${describe(data.game_date)}, expected a string`);
  }
  return {
    ok: true,
    batch: {
      id,
      isComplete: data.is_complete,
      createdAt,
      updatedAt,
      expectedPlayers: expected,
      completedPlayers: completed,
      gameDate: typeof data.game_date === 'string' ? data.game_date : null,
      failedPlayers: Array.isArray(data.failed_players) ? data.failed_players.length : 0,
      lastError: typeof data.last_error === 'string' && data.last_error.trim() !== '' ? data.last_error : null,
    },
  };
}

/** A Firestore timestamp (or a Date) as a Date; undefined for anything else. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Timestamp) return value.toDate();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  return undefined;
}

/** `toDate`, with null for anything that is not a time. */
export function toDateOrNull(value: unknown): Date | null {
  return toDate(value) ?? null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Timestamp) return 'a timestamp';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `a ${typeof value} (${String(value)})`;
}
