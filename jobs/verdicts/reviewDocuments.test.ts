import { Timestamp } from '@google-cloud/firestore';
import { readBatchNow, readHeal } from './reviewDocuments.js';

const at = new Date('2026-11-23T10:00:00Z');
const event = {
  healing_id: 'batch_cleanup-abc',
  timestamp: Timestamp.fromDate(at),
  healing_type: 'batch_cleanup',
  before_state: { completed: 19, stall_minutes: 22.5 },
  after_state: { is_complete: true, completed: 19 },
  metadata: { batch_id: 'b1', batch_collection: 'prediction_batches', rule: { stall_minutes: 15, min_completion_pct: 90 } },
  success: true,
};

describe('readHeal', () => {
  test('reads what the verdict needs from a heal event', () => {
    expect(readHeal('doc', event)).toEqual({
      ok: true,
      heal: { healingId: 'batch_cleanup-abc', healingType: 'batch_cleanup', healedAt: at, completedAtHeal: 19, stallMinutes: 22.5, batchId: 'b1', batchCollection: 'prediction_batches' },
    });
  });

  test('reads an event written as another service writes it: ISO time, JSON text, no healing_id field', () => {
    const foreign = { ...event, healing_id: undefined, timestamp: '2026-11-23T11:00:00+01:00', after_state: '{"completed": 19}', metadata: JSON.stringify(event.metadata) };
    expect(readHeal('doc-id', foreign)).toMatchObject({ ok: true, heal: { healingId: 'doc-id', healedAt: at, completedAtHeal: 19, batchId: 'b1' } });
  });

  test('a heal that did not record its counts is still read, with nulls', () => {
    expect(readHeal('doc', { ...event, before_state: {}, after_state: { ok: true } })).toMatchObject({ ok: true, heal: { completedAtHeal: null, stallMinutes: null } });
  });

  test('a heal without the batch it healed cannot be verified, and says why', () => {
    expect(readHeal('doc', { ...event, metadata: { batch_collection: 'prediction_batches' } })).toEqual({ ok: false, reason: 'metadata.batch_id is missing, not a document or collection id' });
    expect(readHeal('doc', { ...event, timestamp: 'yesterday' })).toMatchObject({ ok: false, reason: expect.stringContaining('timestamp') });
  });

  test.each([['a/b'], ['..'], ['__reserved__'], ['x'.repeat(1501)]])('a batch id Firestore would refuse (%#) makes the heal unreadable instead of failing the reads of the others', (id) => {
    expect(readHeal('doc', { ...event, metadata: { ...event.metadata, batch_id: id } })).toMatchObject({ ok: false, reason: expect.stringContaining('metadata.batch_id') });
    expect(readHeal('doc', { ...event, metadata: { ...event.metadata, batch_collection: id } })).toMatchObject({ ok: false, reason: expect.stringContaining('metadata.batch_collection') });
  });
});

describe('readBatchNow', () => {
  test('a missing document is null; fields of the wrong type are null', () => {
    expect(readBatchNow(undefined)).toBeNull();
    expect(readBatchNow({ completed_players: 'many', updated_at: 'now' })).toEqual({ completedPlayers: null, updatedAt: null, completionTime: null, healingId: null });
  });

  test('reads the players, the times and the heal the batch carries', () => {
    const written = Timestamp.fromDate(at);
    expect(readBatchNow({ completed_players: ['a', 'b'], updated_at: written, completion_time: written, healing_id: 'h' })).toEqual({ completedPlayers: 2, updatedAt: at, completionTime: at, healingId: 'h' });
  });
});
