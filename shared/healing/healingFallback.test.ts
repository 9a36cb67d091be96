import { createMemoryRecorder } from './memoryRecorder.js';
import { healingFallback } from './healingFallback.js';

describe('healingFallback', () => {
  test('returns the call value when it works and records nothing', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingFallback({ recorder, name: 'feature-store', fallback: () => 'cached' });
    await expect(policy.execute(async () => 'fresh')).resolves.toBe('fresh');
    expect(recorder.events).toEqual([]);
  });

  test('serves the fallback value for a failed call, passes it the error, and records one successful fallback event', async () => {
    const recorder = createMemoryRecorder();
    const seen: unknown[] = [];
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const policy = healingFallback({ recorder, name: 'feature-store', fallback: (reason) => (seen.push(reason), 'yesterday') });
    await expect(policy.execute(async () => { throw error; })).resolves.toBe('yesterday');
    expect(seen).toEqual([error]);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]).toMatchObject({
      healing_type: 'fallback',
      success: true,
      root_cause: 'ECONNRESET',
      trigger_reason: 'Call to feature-store failed: read ECONNRESET',
      action_taken: 'Served the fallback value instead of feature-store',
      after_state: { served: 'fallback' },
    });
  });

  test("rethrows the fallback's own error and records one failed fallback event", async () => {
    const recorder = createMemoryRecorder();
    const fallbackError = new Error('cache empty');
    const policy = healingFallback({ recorder, name: 'feature-store', fallback: async () => { throw fallbackError; } });
    await expect(policy.execute(async () => { throw new Error('upstream returned 503'); })).rejects.toBe(fallbackError);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]).toMatchObject({ healing_type: 'fallback', success: false, root_cause: 'HTTP 503', metadata: { fallback_error: 'cache empty' } });
  });

  test('lets an error shouldFallBack refuses reach the caller, recording nothing', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingFallback({ recorder, name: 'feature-store', fallback: () => 'cached', shouldFallBack: (error) => !(error instanceof TypeError) });
    await expect(policy.execute(async () => { throw new TypeError('bug'); })).rejects.toThrow('bug');
    expect(recorder.events).toEqual([]);
  });

  test('records one event for each call the fallback replaced', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingFallback({ recorder, name: 'feature-store', fallback: () => 0 });
    const values = await Promise.all([1, 2, 3, 4].map((n) => policy.execute(async () => { if (n % 2 === 0) throw new Error(`HTTP 503 for ${n}`); return n; })));
    expect(values).toEqual([1, 0, 3, 0]);
    expect(recorder.events.map((event) => [event.healing_type, event.success, event.root_cause])).toEqual([
      ['fallback', true, 'HTTP 503'],
      ['fallback', true, 'HTTP 503'],
    ]);
  });
});
