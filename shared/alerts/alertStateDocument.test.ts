import { Timestamp } from '@google-cloud/firestore';
import { type AlertStateRecord, alertStateId, readAlertState, toAlertStateDocument } from './alertStateDocument.js';

const now = new Date('2026-11-23T12:00:00Z');
const HOSTILE = '<!channel> <https://evil.example|runbook>';

describe('alert-state document ids', () => {
  const names = ['__a__', '.', '..', 'x'.repeat(2_000), 'a/b', 'a_b', '🔥 <!channel>', '', 'batch_cleanup'];

  it.each(names.map((name) => [name.length > 40 ? `${name.slice(0, 10)}… (${name.length} characters)` : JSON.stringify(name), name]))(
    'gives %s an id Firestore takes: at most 1,500 bytes, no slash, never . .. or __x__',
    (_label, name) => {
      const id = alertStateId(name);
      expect(id).toMatch(/^[A-Za-z0-9_-]{0,40}-[0-9a-f]{64}$/);
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(1_500);
      expect(id).not.toMatch(/^__.*__$/);
    },
  );

  it('keeps the start of a plain name readable and gives different names different ids', () => {
    expect(alertStateId('batch_cleanup')).toMatch(/^batch_cleanup-[0-9a-f]{64}$/);
    expect(new Set(names.map(alertStateId)).size).toBe(names.length);
  });
});

describe('reading an alert-state document', () => {
  const record: AlertStateRecord = {
    healingType: 'retry',
    lastSent: { red: '2026-11-23T11:30:00.000Z', yellow: '2026-11-23T11:00:00.000Z' },
    waiting: { safety_brake: '2026-11-23T11:45:00.000Z' },
    brake: { stalled: 40, limit: 25, sampleIds: ['b-1', 'b-2'] },
    checkLater: false,
  };

  it('reads back what it wrote, marked for the next run while something waits', () => {
    const document = toAlertStateDocument(record);
    expect(document.retry).toBe(true);
    expect(readAlertState(alertStateId('retry'), document, now)).toEqual({ record, problems: [], misplaced: false });
  });

  it('with every string overwritten by a mention and a link, keeps none of them, names the fields, and still checks the type', () => {
    const document = { ...toAlertStateDocument(record), healing_type: HOSTILE, last_sent: { red: HOSTILE }, waiting: { safety_brake: HOSTILE, yellow: HOSTILE } };
    const read = readAlertState(alertStateId('retry'), document, now);
    expect(read.record).toEqual({ healingType: 'retry', lastSent: {}, waiting: {}, brake: null, checkLater: true });
    expect(read.problems).toEqual(['healing_type', 'last_sent.red', 'waiting.safety_brake', 'waiting.yellow']);
    expect(JSON.stringify(read)).not.toContain('<');
  });

  it('never throws whatever type each field holds, and reads none of them', () => {
    const odd = [42, null, true, ['x'], { nested: HOSTILE }, Timestamp.fromDate(now), HOSTILE];
    for (const value of odd) {
      const document = { healing_type: value, last_sent: value, waiting: value, brake: value, check_later: value, retry: value, undelivered: value };
      const read = readAlertState(alertStateId('retry'), document, now);
      expect(read.record).toMatchObject({ healingType: 'retry', lastSent: {}, brake: null });
      expect(read.problems).toContain('healing_type');
    }
  });

  it('keeps only the kind of a message an earlier version stored as text, even one that is not JSON', () => {
    const legacy = { healing_type: 'retry', retry: true, undelivered: { kind: 'red', message: `{"text": "${HOSTILE}", "blocks": [` } };
    const read = readAlertState(alertStateId('retry'), legacy, now);
    expect(read.record?.waiting).toEqual({ red: now.toISOString() });
    expect(read.problems).toEqual(['undelivered']);
    expect(JSON.stringify(read)).not.toContain('evil');
  });

  it('treats a time dated ahead of the clock as unreadable, so no writer silences a kind by dating it ahead', () => {
    const read = readAlertState(alertStateId('retry'), { healing_type: 'retry', last_sent: { critical: '2099-01-01T00:00:00.000Z', red: '2026-11-23T12:00:59.000Z' } }, now);
    expect(read.record?.lastSent).toEqual({ red: '2026-11-23T12:00:59.000Z' });
    expect(read.problems).toEqual(['last_sent.critical']);
  });

  it("finds a misplaced document's type in its healing_type: an earlier version's id, to be moved", () => {
    const read = readAlertState('retry', { healing_type: 'retry', retry: true }, now);
    expect(read).toMatchObject({ misplaced: true, record: { healingType: 'retry', checkLater: true } });
  });

  it('names no type for a document elsewhere without a healing_type', () => {
    expect(readAlertState('some-id', { healing_type: 7, retry: true }, now)).toEqual({ record: null, problems: ['healing_type'], misplaced: false });
  });

  it('keeps a brake figure only when it is whole numbers and text ids', () => {
    const waiting = { safety_brake: '2026-11-23T11:45:00.000Z' };
    const bad = readAlertState(alertStateId('retry'), { healing_type: 'retry', waiting, brake: { stalled: '40', limit: 25, sample_ids: [] } }, now);
    expect(bad.record?.brake).toBeNull();
    expect(bad.problems).toEqual(['brake']);
    const long = readAlertState(alertStateId('retry'), { healing_type: 'retry', waiting, brake: { stalled: 40, limit: 25, sample_ids: Array.from({ length: 30 }, () => 'b'.repeat(5_000)) } }, now);
    expect(long.record?.brake?.sampleIds).toHaveLength(10);
    expect(long.record?.brake?.sampleIds[0]!.length).toBeLessThanOrEqual(200);
  });
});
