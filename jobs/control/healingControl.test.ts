import { Timestamp } from '@google-cloud/firestore';
import { activePause, pauseWarningDue, readExclusion, withoutExcluded } from './healingControl.js';

const now = new Date('2026-11-22T12:00:00Z');
const at = (iso: string) => Timestamp.fromDate(new Date(iso));

describe('the pause document', () => {
  it('pauses while paused is true and until, when given, is still ahead', () => {
    expect(activePause({ paused: true, reason: 'r', by: 'ops', at: at('2026-11-22T11:00:00Z') }, now)).toMatchObject({ reason: 'r', by: 'ops', until: null });
    expect(activePause({ paused: true, reason: 'r', until: at('2026-11-22T12:00:01Z') }, now)).toMatchObject({ until: new Date('2026-11-22T12:00:01Z') });
  });

  it('does not pause once until has come, after a resume, or without the document', () => {
    expect(activePause({ paused: true, reason: 'r', until: at('2026-11-22T12:00:00Z') }, now)).toBeUndefined();
    expect(activePause({ paused: false, by: 'ops' }, now)).toBeUndefined();
    expect(activePause({ paused: 'yes' }, now)).toBeUndefined();
    expect(activePause(undefined, now)).toBeUndefined();
  });

  it('is due a WARNING when none was logged within the hour', () => {
    const pause = (warned?: string) => activePause({ paused: true, reason: 'r', ...(warned ? { warned_at: at(warned) } : {}) }, now)!;
    expect(pauseWarningDue(pause(), now)).toBe(true);
    expect(pauseWarningDue(pause('2026-11-22T11:00:01Z'), now)).toBe(false);
    expect(pauseWarningDue(pause('2026-11-22T11:00:00Z'), now)).toBe(true);
  });
});

describe('exclusions', () => {
  it('keeps excluded batches out of healing and says which exclusion', () => {
    const exclusion = readExclusion({ kind: 'exclusion', batch_id: 'b-2', reason: 'debugging', by: 'ops', at: at('2026-11-22T11:00:00Z'), until: at('2026-11-23T11:00:00Z') })!;
    const { healable, excluded } = withoutExcluded([{ id: 'b-1' }, { id: 'b-2' }, { id: 'b-3' }], new Map([['b-2', exclusion]]));
    expect(healable.map((batch) => batch.id)).toEqual(['b-1', 'b-3']);
    expect(excluded).toEqual([{ batch: { id: 'b-2' }, exclusion: expect.objectContaining({ reason: 'debugging', by: 'ops' }) }]);
  });

  it('a document without a batch id or an end is not an exclusion', () => {
    expect(readExclusion({ kind: 'exclusion', until: at('2026-11-23T11:00:00Z') })).toBeUndefined();
    expect(readExclusion({ kind: 'exclusion', batch_id: 'b-1', until: '2026-11-23' })).toBeUndefined();
  });
});
