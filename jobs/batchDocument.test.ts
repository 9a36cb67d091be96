import { Timestamp } from '@google-cloud/firestore';
import { parseBatch } from './batchDocument.js';
import { isStalled } from './stallRule.js';
import { ownsBatch } from './taskShard.js';
import { batchRootCause } from './rootCause.js';
import { batchDocument } from '../test/support/batches.js';

const now = new Date('2026-11-23T12:00:00Z');
const rule = { stallMinutes: 15, minCompletionPct: 90, maxAgeHours: 24 };
const parse = (spec: Parameters<typeof batchDocument>[0]) => {
  const parsed = parseBatch(spec.id, batchDocument(spec, now), now);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.batch;
};

describe('reading a batch document', () => {
  it.each([
    ['updated_at missing', { updated_at: undefined }, 'updated_at is missing'],
    ['created_at a string', { created_at: '2026-11-23' }, 'created_at is a string'],
    ['expected_players a string', { expected_players: '20' }, 'expected_players is a string'],
    ['expected_players 0', { expected_players: 0, completed_players: [] }, 'expected_players is 0'],
    ['expected_players fractional', { expected_players: 20.5 }, 'expected a whole number'],
    ['completed more than expected', { completed_players: Array(21).fill('p') }, 'more than expected_players'],
    ['updated_at in the future', { updated_at: Timestamp.fromMillis(now.getTime() + 3_600_000) }, 'updated_at 2026-11-23T13:00:00.000Z is in the future'],
    ['completed_players not an array', { completed_players: 19 }, 'completed_players is a number'],
    ['is_complete missing', { is_complete: undefined }, 'is_complete is missing'],
  ])('calls a document with %s malformed, and says why', (_label, override, reason) => {
    const data = { ...batchDocument({ id: 'x', completed: 19, expected: 20, stalledMinutes: 30 }, now), ...override };
    const parsed = parseBatch('x', data, now);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('tolerates a minute of clock skew on updated_at', () => {
    expect(parseBatch('x', batchDocument({ id: 'x', completed: 1, expected: 2, stalledMinutes: -0.5 }, now), now).ok).toBe(true);
  });
});

describe('the stall rule', () => {
  it('heals at exactly 90% and exactly 15 minutes (both boundaries inclusive)', () => {
    expect(isStalled(parse({ id: 'a', completed: 27, expected: 30, stalledMinutes: 15 }), rule, now)).toEqual({ stalled: true });
  });

  it('does not heal just below 90% or just under 15 minutes', () => {
    expect(isStalled(parse({ id: 'a', completed: 89, expected: 100, stalledMinutes: 60 }), rule, now).stalled).toBe(false);
    expect(isStalled(parse({ id: 'a', completed: 30, expected: 30, stalledMinutes: 14.99 }), rule, now).stalled).toBe(false);
  });

  it('does not heal a batch created more than 24 hours ago, and does at exactly 24 hours', () => {
    expect(isStalled(parse({ id: 'a', completed: 19, expected: 20, stalledMinutes: 60, ageMinutes: 24 * 60 + 1 }), rule, now).stalled).toBe(false);
    expect(isStalled(parse({ id: 'a', completed: 19, expected: 20, stalledMinutes: 60, ageMinutes: 24 * 60 }), rule, now).stalled).toBe(true);
  });

  it('never heals a complete batch', () => {
    expect(isStalled(parse({ id: 'a', completed: 20, expected: 20, stalledMinutes: 60, isComplete: true }), rule, now)).toEqual({ stalled: false, reason: 'already complete' });
  });
});

describe('root cause of a stalled batch', () => {
  it('is stalled_batch when the document says nothing more, sharper when it records failures or an error', () => {
    expect(batchRootCause(parse({ id: 'a', completed: 19, expected: 20, stalledMinutes: 30 }))).toBe('stalled_batch');
    expect(batchRootCause(parse({ id: 'a', completed: 19, expected: 20, stalledMinutes: 30, override: { failed_players: ['p9'] } }))).toBe('player_failures');
    expect(batchRootCause(parse({ id: 'a', completed: 19, expected: 20, stalledMinutes: 30, override: { last_error: 'worker timeout' } }))).toBe('worker_error');
  });
});

describe('sharing batches between Cloud Run tasks', () => {
  it('gives every batch to exactly one task, and spreads them', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `batch-${i}`);
    const owners = ids.map((id) => [0, 1, 2].filter((task) => ownsBatch(id, task, 3)));
    expect(owners.every((tasks) => tasks.length === 1)).toBe(true);
    for (const task of [0, 1, 2]) expect(owners.filter((tasks) => tasks[0] === task).length).toBeGreaterThan(60);
  });
});
