import { Timestamp } from '@google-cloud/firestore';
import { planUndo, readRecordedHeal, REMOVED, type RecordedHeal, SERVER_TIME } from './undoPlan.js';

const at = (iso: string) => Timestamp.fromDate(new Date(iso));
const request = { healingId: 'h-1', by: 'alice', reason: 'worker was only slow' };

function event(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    healing_id: 'h-1',
    healing_type: 'batch_cleanup',
    success: true,
    timestamp: at('2026-11-22T10:00:00Z'),
    before_state: { stall_minutes: 17.5 },
    after_state: { completed: 18 },
    metadata: { batch_id: 'b-1', batch_collection: 'prediction_batches' },
    ...extra,
  };
}

function healedBatch(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    is_complete: true,
    expected_players: 20,
    completed_players: Array.from({ length: 18 }, (_, i) => `p-${i}`),
    completion_time: at('2026-11-22T10:00:01Z'),
    updated_at: at('2026-11-22T10:00:01Z'),
    auto_completed: true,
    auto_completion_reason: 'stalled',
    healing_id: 'h-1',
    ...extra,
  };
}

function heal(extra: Record<string, unknown> = {}): RecordedHeal {
  const read = readRecordedHeal('h-1', event(extra), 'healing_events');
  if (!('heal' in read)) throw new Error(read.reason);
  return read.heal;
}

describe('which heals can be undone', () => {
  it.each<[string, Record<string, unknown> | undefined, string]>([
    ['an unknown id', undefined, 'no healing event with this id in healing_events'],
    ['another healing type', event({ healing_type: 'retry' }), 'it is a retry heal; only batch_cleanup heals can be undone'],
    ['a failed heal', event({ success: false }), 'the heal failed; there is nothing to undo'],
    ['a heal without its batch', event({ metadata: { batch_id: 'b-1' } }), 'the event does not name its batch (metadata.batch_id and metadata.batch_collection)'],
    ['a heal already undone', event({ verdict: { verdict: 'undone', actor: 'bob', reason: 'oops', checked_at: at('2026-11-22T11:00:00Z') } }), 'already undone by bob at 2026-11-22T11:00:00.000Z: oops'],
  ])('refuses %s', (_name, data, reason) => {
    expect(readRecordedHeal('h-1', data, 'healing_events')).toEqual({ undo: false, reason });
  });

  it.each<[string, Record<string, unknown> | undefined, string]>([
    ['a batch that is gone', undefined, 'batch b-1 no longer exists in prediction_batches'],
    ['a batch healed again since', healedBatch({ healing_id: 'h-2' }), 'batch b-1 was healed again since: it now carries healing_id h-2'],
    ['a batch without a healing id', healedBatch({ healing_id: undefined }), 'batch b-1 no longer carries this heal (it has no healing_id)'],
    ['a batch reopened', healedBatch({ is_complete: false }), 'batch b-1 is no longer complete'],
    ['a batch that completed on its own', healedBatch({ completed_players: Array.from({ length: 20 }, (_, i) => `p-${i}`) }), 'batch b-1 completed on its own (20 of 20 players)'],
  ])('refuses %s', (_name, batch, reason) => {
    const data = batch === undefined ? undefined : Object.fromEntries(Object.entries(batch).filter(([, value]) => value !== undefined));
    expect(planUndo(heal(), data, request)).toEqual({ undo: false, reason });
  });

  it('a verdict given earlier (held) does not stop an undo; the undo replaces it and is exported afresh', () => {
    const plan = planUndo(heal({ verdict: { verdict: 'held' }, verdict_exported: true, verdict_exported_at: at('2026-11-22T11:00:00Z'), verdict_due: true }), healedBatch(), request);
    if (!plan.undo) throw new Error(plan.reason);
    expect(plan.changes.filter((change) => change.document === 'event').map(({ field, after }) => [field, after === REMOVED ? 'removed' : typeof after === 'object' ? (after as { verdict: string }).verdict : after])).toEqual([
      ['verdict', 'undone'],
      ['verdict_exported', false],
      ['verdict_exported_at', 'removed'],
      ['verdict_due', 'removed'],
    ]);
  });
});

describe('what an undo changes', () => {
  it('reopens the batch with the players it has now, restarts its stall clock and records who undid it', () => {
    const plan = planUndo(heal(), healedBatch(), request);
    if (!plan.undo) throw new Error(plan.reason);
    expect(plan.changes.filter((change) => change.document === 'batch').map(({ field, after }) => [field, after])).toEqual([
      ['is_complete', false],
      ['completion_time', REMOVED],
      ['auto_completed', REMOVED],
      ['auto_completion_reason', REMOVED],
      ['healing_id', REMOVED],
      ['updated_at', SERVER_TIME],
      ['healing_undone', { healing_id: 'h-1', at: SERVER_TIME, by: 'alice', reason: 'worker was only slow' }],
    ]);
    expect(plan.changes.some((change) => change.field === 'completed_players')).toBe(false);
    expect([plan.completed, plan.expected]).toEqual([18, 20]);
  });

  it('gives the verdict undone with the actor, the reason, and the players that came after the heal', () => {
    const late = healedBatch({ completed_players: Array.from({ length: 19 }, (_, i) => `p-${i}`), updated_at: at('2026-11-22T10:12:01Z') });
    const plan = planUndo(heal(), late, request);
    if (!plan.undo) throw new Error(plan.reason);
    expect(plan.changes.find((change) => change.field === 'verdict')?.after).toEqual({
      verdict: 'undone',
      checked_at: SERVER_TIME,
      healed_at: new Date('2026-11-22T10:00:00Z'),
      stall_minutes: 17.5,
      late_players: 1,
      progress_after_minutes: 12,
      actor: 'alice',
      reason: 'worker was only slow',
    });
  });
});
