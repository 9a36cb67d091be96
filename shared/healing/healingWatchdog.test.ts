import { createMemoryRecorder } from './memoryRecorder.js';
import { healingWatchdog } from './healingWatchdog.js';

const INTERVAL_MS = 5;

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('healingWatchdog', () => {
  test('never restarts a worker whose checks pass, and records nothing', async () => {
    const recorder = createMemoryRecorder();
    let checks = 0;
    let restarts = 0;
    const watchdog = healingWatchdog({ recorder, name: 'prediction-worker', intervalMs: INTERVAL_MS, failuresBeforeRestart: 2, check: () => (checks += 1, true), restart: () => (restarts += 1) });
    await until(() => checks >= 5);
    await watchdog.stop();
    expect(restarts).toBe(0);
    expect(recorder.events).toEqual([]);
  });

  test('restarts after failuresBeforeRestart failed checks in a row and records one successful worker_restart when the next check passes', async () => {
    const recorder = createMemoryRecorder();
    const results: Array<boolean | Error> = [true, false, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8500'), { code: 'ECONNREFUSED' }), false];
    let restarted = 0;
    const watchdog = healingWatchdog({
      recorder,
      name: 'prediction-worker',
      intervalMs: INTERVAL_MS,
      failuresBeforeRestart: 3,
      check: async () => {
        const result = restarted > 0 ? true : results.shift() ?? false;
        if (result instanceof Error) throw result;
        return result;
      },
      restart: () => (restarted += 1),
    });
    await until(() => recorder.events.length === 1);
    await watchdog.stop();
    expect(restarted).toBe(1);
    expect(watchdog.restarts).toBe(1);
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]).toMatchObject({
      healing_type: 'worker_restart',
      success: true,
      root_cause: 'health_check_failed',
      trigger_reason: 'prediction-worker failed 3 health check(s) in a row: health check returned false',
      action_taken: 'Restarted prediction-worker; the next health check passed',
      metadata: { policy: 'healingWatchdog', check_errors: ['health check returned false', 'connect ECONNREFUSED 127.0.0.1:8500', 'health check returned false'] },
    });
  });

  test('records a failed worker_restart when the check after the restart fails too, with the root cause of the first failure', async () => {
    const recorder = createMemoryRecorder();
    let restarted = 0;
    const watchdog = healingWatchdog({
      recorder,
      name: 'prediction-worker',
      intervalMs: INTERVAL_MS,
      failuresBeforeRestart: 2,
      check: async () => { throw Object.assign(new Error('upstream returned 503'), {}); },
      restart: () => (restarted += 1),
    });
    await until(() => recorder.events.length >= 1);
    await watchdog.stop();
    expect(recorder.events[0]).toMatchObject({ healing_type: 'worker_restart', success: false, root_cause: 'HTTP 503', after_state: { healthy: false } });
    expect(recorder.events[0]!.action_taken).toBe('Restarted prediction-worker; the next health check failed too');
    expect(recorder.events).toHaveLength(watchdog.restarts);
    expect(recorder.events.every((event) => !event.success)).toBe(true);
  });

  test('a check that hangs past timeoutMs counts as failed', async () => {
    const recorder = createMemoryRecorder();
    let restarted = 0;
    const watchdog = healingWatchdog({
      recorder,
      name: 'prediction-worker',
      intervalMs: INTERVAL_MS,
      timeoutMs: 10,
      failuresBeforeRestart: 1,
      check: () => (restarted > 0 ? true : new Promise<boolean>(() => {})),
      restart: () => (restarted += 1),
    });
    await until(() => recorder.events.length === 1);
    await watchdog.stop();
    expect(recorder.events[0]).toMatchObject({ success: true, root_cause: 'TaskCancelledError' });
  });

  test('a restart that throws is recorded at once as a failed worker_restart', async () => {
    const recorder = createMemoryRecorder();
    const watchdog = healingWatchdog({
      recorder,
      name: 'prediction-worker',
      intervalMs: INTERVAL_MS,
      failuresBeforeRestart: 1,
      check: () => false,
      restart: () => { throw new Error('permission denied to restart'); },
    });
    await until(() => recorder.events.length >= 1);
    await watchdog.stop();
    expect(recorder.events[0]).toMatchObject({ success: false, action_taken: 'Restarted prediction-worker; the restart failed: permission denied to restart' });
  });

  test('stop() ends the checks', async () => {
    const recorder = createMemoryRecorder();
    let checks = 0;
    const watchdog = healingWatchdog({ recorder, name: 'w', intervalMs: INTERVAL_MS, check: () => (checks += 1, true), restart: () => undefined });
    await until(() => checks >= 2);
    await watchdog.stop();
    const after = checks;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 6));
    expect(checks).toBe(after);
  });
});
