import { createMemoryRecorder } from './memoryRecorder.js';
import { healingRetry } from './healingRetry.js';

function failing(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

/** A call that fails with the given errors, then answers `value`. */
function flaky<T>(errors: Error[], value: T): { call: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    call: async () => {
      const error = errors[calls];
      calls += 1;
      if (error) throw error;
      return value;
    },
    calls: () => calls,
  };
}

const noWait = { initialDelayMs: 0, maxDelayMs: 0 };

describe('healingRetry', () => {
  test('returns the value of a call that worked at once and records nothing', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, ...noWait });
    await expect(policy.execute(async () => 42)).resolves.toBe(42);
    expect(recorder.events).toEqual([]);
  });

  test('returns the value of the attempt that worked and records one successful retry event', async () => {
    const recorder = createMemoryRecorder();
    const dependency = flaky([failing('read ECONNRESET', { code: 'ECONNRESET' }), failing('socket hang up', { code: 'ECONNRESET' })], 'scores');
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, ...noWait });
    await expect(policy.execute(dependency.call)).resolves.toBe('scores');
    expect(dependency.calls()).toBe(3);
    expect(recorder.events).toHaveLength(1);
    const [event] = recorder.events;
    expect(event).toMatchObject({
      healing_type: 'retry',
      success: true,
      root_cause: 'ECONNRESET',
      trigger_reason: 'Call to feature-store failed: read ECONNRESET',
      action_taken: 'Retried feature-store 2 time(s) with exponential backoff; attempt 3 of 3 succeeded',
      metadata: { policy: 'healingRetry', name: 'feature-store', attempts: 3, max_attempts: 3, errors: ['read ECONNRESET', 'socket hang up'] },
    });
  });

  test('rethrows the last error when it gives up after maxAttempts calls and records one failed retry event', async () => {
    const recorder = createMemoryRecorder();
    const last = failing('Service Unavailable', { status: 503 });
    const dependency = flaky([failing('upstream returned 503'), failing('upstream returned 503'), last], 'never');
    const policy = healingRetry({ recorder, name: 'odds-api', maxAttempts: 3, ...noWait });
    await expect(policy.execute(dependency.call)).rejects.toBe(last);
    expect(dependency.calls()).toBe(3);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]).toMatchObject({ healing_type: 'retry', success: false, root_cause: 'HTTP 503', metadata: { attempts: 3 } });
    expect(recorder.events[0]!.action_taken).toContain('gave up after 3 of 3 attempts');
  });

  test('maxAttempts 1 makes one call and records nothing', async () => {
    const recorder = createMemoryRecorder();
    const dependency = flaky([failing('boom')], 'never');
    const policy = healingRetry({ recorder, name: 'odds-api', maxAttempts: 1, ...noWait });
    await expect(policy.execute(dependency.call)).rejects.toThrow('boom');
    expect(dependency.calls()).toBe(1);
    expect(recorder.events).toEqual([]);
  });

  test('does not retry an error shouldRetry refuses, and records nothing', async () => {
    const recorder = createMemoryRecorder();
    const dependency = flaky([failing('Bad Request', { status: 400 })], 'never');
    const policy = healingRetry({ recorder, name: 'odds-api', maxAttempts: 3, ...noWait, shouldRetry: (error) => (error as { status?: number }).status !== 400 });
    await expect(policy.execute(dependency.call)).rejects.toThrow('Bad Request');
    expect(dependency.calls()).toBe(1);
    expect(recorder.events).toEqual([]);
  });

  test('waits exponentially longer between attempts, with jitter between half and all of each delay', async () => {
    const delaysWith = async (random: () => number) => {
      const recorder = createMemoryRecorder();
      const policy = healingRetry({ recorder, name: 'x', maxAttempts: 4, initialDelayMs: 4, maxDelayMs: 10, random });
      await policy.execute(flaky([failing('a'), failing('b'), failing('c')], 'ok').call);
      return recorder.events[0]!.metadata.delays_ms;
    };
    expect(await delaysWith(() => 0.999999)).toEqual([4, 8, 10]);
    expect(await delaysWith(() => 0)).toEqual([2, 4, 5]);
  });

  test('groups root causes: the same code or HTTP status gives the same root cause whatever the message', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 2, ...noWait });
    const firstErrors = [
      failing('read ECONNRESET', { code: 'ECONNRESET' }),
      failing('socket hang up on 10.0.0.4', { code: 'ECONNRESET' }),
      failing('feature store answered HTTP 503 for player 17'),
      failing('Service Unavailable', { response: { status: 503 } }),
    ];
    for (const error of firstErrors) await policy.execute(flaky([error], 'ok').call);
    expect(recorder.events.map((event) => event.root_cause)).toEqual(['ECONNRESET', 'ECONNRESET', 'HTTP 503', 'HTTP 503']);
  });

  test('records one event per execute even when calls overlap', async () => {
    const recorder = createMemoryRecorder();
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, ...noWait });
    const results = await Promise.all([
      policy.execute(flaky([failing('a')], 1).call),
      policy.execute(async () => 2),
      policy.execute(flaky([failing('b'), failing('c')], 3).call),
    ]);
    expect(results).toEqual([1, 2, 3]);
    expect(recorder.events.map((event) => event.metadata.attempts).sort()).toEqual([2, 3]);
  });

  test('a recorder that throws does not change what the caller gets', async () => {
    const recorder = { record: () => { throw new Error('recorder broken'); } };
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 2, ...noWait });
    await expect(policy.execute(flaky([failing('a')], 'ok').call)).resolves.toBe('ok');
  });
});
