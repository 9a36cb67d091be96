import { Firestore, GeoPoint, Timestamp } from '@google-cloud/firestore';
import { readPendingEvent } from './pendingEvent.js';

const event = {
  healing_id: 'h-1',
  timestamp: Timestamp.fromDate(new Date('2026-11-23T10:00:00Z')),
  healing_type: 'retry',
  trigger_reason: 'Call failed',
  action_taken: 'Retried',
  before_state: {},
  after_state: {},
  success: true,
  metadata: {},
};

describe('reading a pending event leniently', () => {
  it('exports a Firestore bytes value as base64 text, not as one JSON key per byte', () => {
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    const read = readPendingEvent('h-1', { ...event, before_state: { blob: payload, nested: [{ more: new Uint8Array([1, 2, 3]) }] } });
    expect(read).toMatchObject({ ok: true, event: { before_state: { blob: payload.toString('base64'), nested: [{ more: 'AQID' }] } } });
  });

  it('exports a document reference as its path and a geopoint as latitude and longitude', () => {
    const firestore = new Firestore({ projectId: 'p' });
    const read = readPendingEvent('h-1', { ...event, metadata: { batch: firestore.doc('prediction_batches/b-1'), where: new GeoPoint(48.85, 2.35) } });
    expect(read).toMatchObject({ ok: true, event: { metadata: { batch: 'prediction_batches/b-1', where: { latitude: 48.85, longitude: 2.35 } } } });
  });

  it('cannot read state that is a bytes value rather than a map', () => {
    const read = readPendingEvent('h-1', { ...event, after_state: Buffer.from('{}') });
    expect(read).toEqual({ ok: false, reason: 'after_state is bytes, not a JSON object' });
  });
});
