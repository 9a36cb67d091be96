import { causeOf, fingerprint } from './causeFingerprint.js';

describe('cause fingerprint', () => {
  it('gives differently numbered stalls of different batches one fingerprint', () => {
    const first = fingerprint('Batch a1 stalled at 91.2% (124/136) for 17.3 minutes');
    expect(first).toBe('Batch # stalled at #% (#/#) for # minutes');
    expect(fingerprint('Batch b7 stalled at 93.0% (80/86) for 22.0 minutes')).toBe(first);
  });

  it('takes out timestamps, uuids and ids joined with dashes, dots or colons', () => {
    expect(fingerprint('Job run-2026-03-08 failed at 2026-03-08T05:00:00.123Z (id 3f2c9e1a-7b4d-4c2e-9f00-1a2b3c4d5e6f)')).toBe(
      'Job run-# failed at # (id #)',
    );
    expect(fingerprint('Retry 3 of 5 after HTTP 503 from 10.0.0.12:8080')).toBe('Retry # of # after HTTP # from #');
  });

  it('keeps words without digits and collapses whitespace', () => {
    expect(fingerprint('  Upstream\tscoring-api\n timed out,  "twice" ')).toBe('Upstream scoring-api timed out, "twice"');
  });

  it('prefers a set root cause and ignores a blank one', () => {
    expect(causeOf({ root_cause: 'stalled_batch', trigger_reason: 'Batch a1 stalled' })).toBe('stalled_batch');
    expect(causeOf({ root_cause: '  ', trigger_reason: 'Batch a1 stalled' })).toBe('Batch # stalled');
    expect(causeOf({ root_cause: null, trigger_reason: 'Batch a1 stalled' })).toBe('Batch # stalled');
  });
});
