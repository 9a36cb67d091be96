import { Timestamp } from '@google-cloud/firestore';
import { readPendingVerdict } from './pendingVerdict.js';
import { verdictStream } from './verdictStream.js';

const checkedAt = Timestamp.fromDate(new Date('2026-11-23T12:00:00.250Z'));
const healedAt = Timestamp.fromDate(new Date('2026-11-23T10:00:00Z'));

function eventWith(verdict: Record<string, unknown>): Record<string, unknown> {
  return { healing_id: 'batch_cleanup-1', healing_type: 'batch_cleanup', timestamp: healedAt, verdict, verdict_exported: false };
}

describe('reading a pending verdict', () => {
  it('reads a premature verdict into its row, with the heal time and the event type', () => {
    const read = readPendingVerdict('doc', eventWith({ verdict: 'premature', checked_at: checkedAt, healed_at: healedAt, stall_minutes: 17.5, late_players: 3, progress_after_minutes: 4.25 }));
    expect(read).toEqual({
      ok: true,
      row: {
        healing_id: 'batch_cleanup-1', healing_type: 'batch_cleanup', verdict: 'premature',
        checked_at: new Date('2026-11-23T12:00:00.250Z'), healed_at: new Date('2026-11-23T10:00:00Z'),
        stall_minutes: 17.5, late_players: 3, progress_after_minutes: 4.25, actor: null, reason: null,
      },
    });
  });

  it("reads an undone verdict written by another language: ISO times, no numbers, the event's time as heal time", () => {
    const read = readPendingVerdict('doc', eventWith({ verdict: 'undone', checked_at: '2026-11-23T13:00:00+01:00', actor: 'ana', reason: 'batch was fine' }));
    expect(read).toMatchObject({ ok: true, row: { verdict: 'undone', checked_at: new Date('2026-11-23T12:00:00Z'), healed_at: new Date('2026-11-23T10:00:00Z'), stall_minutes: null, actor: 'ana', reason: 'batch was fine' } });
  });

  it.each([
    ['an unknown verdict', { verdict: 'maybe', checked_at: checkedAt }, 'verdict.verdict'],
    ['no checked_at', { verdict: 'held' }, 'verdict.checked_at'],
    ['late players that are not whole', { verdict: 'premature', checked_at: checkedAt, late_players: 1.5 }, 'verdict.late_players'],
    ['minutes given as text', { verdict: 'held', checked_at: checkedAt, stall_minutes: '15' }, 'verdict.stall_minutes'],
    ['an actor that is a number', { verdict: 'undone', checked_at: checkedAt, actor: 7 }, 'verdict.actor'],
  ])('cannot read a verdict with %s, and says which field', (_name, verdict, field) => {
    const read = readPendingVerdict('doc', eventWith(verdict));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toContain(field);
  });

  it('cannot read a verdict that is not a map, or an event without a type', () => {
    expect(readPendingVerdict('doc', { ...eventWith({}), verdict: 'held' })).toMatchObject({ ok: false, reason: expect.stringContaining('verdict is the string') });
    expect(readPendingVerdict('doc', { ...eventWith({ verdict: 'held', checked_at: checkedAt }), healing_type: undefined })).toMatchObject({ ok: false, reason: expect.stringContaining('healing_type') });
  });

  it('takes the document id when the event has no healing_id', () => {
    const read = readPendingVerdict('from-python', { ...eventWith({ verdict: 'gone', checked_at: checkedAt }), healing_id: undefined });
    expect(read).toMatchObject({ ok: true, row: { healing_id: 'from-python' } });
  });
});

describe('the verdict row', () => {
  const row = { healing_id: 'h-1', healing_type: 'batch_cleanup', verdict: 'held' as const, checked_at: checkedAt.toDate(), healed_at: null, stall_minutes: null, late_players: null, progress_after_minutes: null, actor: null, reason: null };

  it('has the insert id <healing_id>:<verdict> and ISO times', () => {
    expect(verdictStream.insertId(row)).toBe('h-1:held');
    expect(verdictStream.toJson(row)).toMatchObject({ checked_at: '2026-11-23T12:00:00.250Z', healed_at: null });
  });

  it('is still held by its document only while that document keeps this very verdict pending', () => {
    const data = eventWith({ verdict: 'held', checked_at: checkedAt });
    expect(verdictStream.holds(data, row)).toBe(true);
    expect(verdictStream.holds({ ...data, verdict: { verdict: 'undone', checked_at: checkedAt } }, row)).toBe(false);
    expect(verdictStream.holds({ ...data, verdict_exported: true }, row)).toBe(false);
  });
});
