import { readFileSync } from 'node:fs';
import { batchCleanupHealingId, createHealingEvent, HEALING_EVENT_COLUMNS, toBigQueryRow } from './healingEvent.js';

const event = createHealingEvent(
  {
    healing_type: 'batch_cleanup',
    trigger_reason: 'Batch b1 stalled at 95.0% (19/20) for 30.0 minutes',
    root_cause: 'stalled_batch',
    action_taken: 'Marked batch b1 complete',
    before_state: { completed: 19, expected: 20, updated_at: new Date('2026-11-23T01:00:00Z') },
    after_state: { is_complete: true },
    success: true,
    metadata: { batch_id: 'b1', note: "it's \"quoted\"\nand multi-line" },
  },
  new Date('2026-11-23T02:00:00Z'),
);

describe('healing event', () => {
  it('writes JSON columns as JSON text that parses back to the same state', () => {
    const row = toBigQueryRow(event);
    expect(JSON.parse(row.before_state as string)).toEqual({ completed: 19, expected: 20, updated_at: '2026-11-23T01:00:00.000Z' });
    expect(JSON.parse(row.metadata as string)).toEqual({ batch_id: 'b1', note: "it's \"quoted\"\nand multi-line" });
    expect(row.timestamp).toBe('2026-11-23T02:00:00.000Z');
  });

  it('gives every row exactly the schema columns, in schema order', () => {
    const schema = JSON.parse(readFileSync(new URL('../schemas/healing_events.json', import.meta.url), 'utf8')) as Array<{ name: string }>;
    expect(Object.keys(toBigQueryRow(event))).toEqual(schema.map((field) => field.name));
    expect(HEALING_EVENT_COLUMNS).toEqual(schema.map((field) => field.name));
  });

  it('derives the same batch_cleanup id for the same batch and last update, another for a later update', () => {
    const first = batchCleanupHealingId('b1', new Date('2026-11-23T01:00:00Z'));
    expect(batchCleanupHealingId('b1', new Date('2026-11-23T01:00:00Z'))).toBe(first);
    expect(batchCleanupHealingId('b1', new Date('2026-11-23T01:05:00Z'))).not.toBe(first);
    expect(batchCleanupHealingId('b2', new Date('2026-11-23T01:00:00Z'))).not.toBe(first);
  });

  it('refuses an event without a trigger reason', () => {
    expect(() => createHealingEvent({ ...event, trigger_reason: ' ' })).toThrow('trigger_reason');
  });

  it('gives an event of a long or odd type name an id Firestore accepts, still naming the type', () => {
    const { healing_id: id } = createHealingEvent({ ...event, healing_id: undefined, healing_type: `svc/${'x'.repeat(200)}` });
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).not.toContain('/');
    expect(id.startsWith('svc_xxx')).toBe(true);
  });
});
