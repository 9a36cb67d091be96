import { type BatchNow, decideVerdict, type HealUnderReview } from './decideVerdict.js';

const healedAt = new Date('2026-11-23T10:00:00.000Z');
/** The heal's write reached the server a little after the run's clock read healedAt. */
const healWrite = new Date('2026-11-23T10:00:02.500Z');
const minutesAfter = (minutes: number, from = healWrite) => new Date(from.getTime() + minutes * 60_000);

const heal: HealUnderReview = {
  healingId: 'batch_cleanup-abc',
  healingType: 'batch_cleanup',
  healedAt,
  completedAtHeal: 19,
  stallMinutes: 22.5,
  batchId: 'b1',
  batchCollection: 'prediction_batches',
};
/** The batch exactly as the heal left it. */
const asHealed: BatchNow = { completedPlayers: 19, updatedAt: healWrite, completionTime: healWrite, healingId: heal.healingId };
const rule = { verifyMinutes: 60 };

describe('decideVerdict', () => {
  test('an unchanged batch is open one millisecond before VERIFY_MINUTES after the heal, and held at exactly VERIFY_MINUTES', () => {
    expect(decideVerdict(heal, asHealed, new Date(minutesAfter(60).getTime() - 1), rule)).toEqual({ verdict: 'open' });
    expect(decideVerdict(heal, asHealed, minutesAfter(60), rule)).toEqual({ verdict: 'held' });
  });

  test('VERIFY_MINUTES counts from the heal\'s own write (completion_time), not from the earlier event timestamp', () => {
    expect(decideVerdict(heal, asHealed, minutesAfter(60, healedAt), rule)).toEqual({ verdict: 'open' });
  });

  test('one player more than at the heal is premature, with the late players, even with updated_at untouched', () => {
    expect(decideVerdict(heal, { ...asHealed, completedPlayers: 20 }, minutesAfter(1), rule)).toEqual({ verdict: 'premature', latePlayers: 1, progressAfterMinutes: 0 });
  });

  test('updated_at one millisecond later than the heal\'s write is premature; equal to it is not', () => {
    const touched = { ...asHealed, updatedAt: new Date(healWrite.getTime() + 1) };
    expect(decideVerdict(heal, touched, minutesAfter(1), rule)).toMatchObject({ verdict: 'premature', latePlayers: 0 });
    expect(decideVerdict(heal, asHealed, minutesAfter(1), rule)).toEqual({ verdict: 'open' });
  });

  test('progress_after_minutes is the time from the heal\'s write to the updated_at seen, and a premature verdict needs no waiting', () => {
    const later = { ...asHealed, completedPlayers: 20, updatedAt: minutesAfter(12.5) };
    expect(decideVerdict(heal, later, minutesAfter(13), rule)).toEqual({ verdict: 'premature', latePlayers: 1, progressAfterMinutes: 12.5 });
    expect(decideVerdict(heal, later, minutesAfter(600), rule)).toEqual({ verdict: 'premature', latePlayers: 1, progressAfterMinutes: 12.5 });
  });

  test('a batch document that no longer exists is gone', () => {
    expect(decideVerdict(heal, null, minutesAfter(1), rule)).toEqual({ verdict: 'gone' });
  });

  test('a batch that no longer carries this heal is judged from the event\'s time', () => {
    const reopened = { completedPlayers: 19, updatedAt: minutesAfter(5, healedAt), completionTime: null, healingId: null };
    expect(decideVerdict(heal, reopened, minutesAfter(6), rule)).toEqual({ verdict: 'premature', latePlayers: 0, progressAfterMinutes: 5 });
  });

  test('an old heal that did not record its player count is judged by updated_at alone', () => {
    const old = { ...heal, completedAtHeal: null };
    expect(decideVerdict(old, { ...asHealed, completedPlayers: 20 }, minutesAfter(61), rule)).toEqual({ verdict: 'held' });
    expect(decideVerdict(old, { ...asHealed, updatedAt: minutesAfter(3) }, minutesAfter(4), rule)).toEqual({ verdict: 'premature', latePlayers: null, progressAfterMinutes: 3 });
  });

  test('fewer players than at the heal is no progress', () => {
    expect(decideVerdict(heal, { ...asHealed, completedPlayers: 18 }, minutesAfter(60), rule)).toEqual({ verdict: 'held' });
  });

  test('a batch whose progress cannot be read stays open', () => {
    const unreadable = { completedPlayers: null, updatedAt: null, completionTime: healWrite, healingId: heal.healingId };
    expect(decideVerdict(heal, unreadable, minutesAfter(600), rule)).toEqual({ verdict: 'open' });
  });
});
