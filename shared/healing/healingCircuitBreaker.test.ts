import { BrokenCircuitError, CircuitState } from 'cockatiel';
import { createMemoryRecorder } from './memoryRecorder.js';
import { healingCircuitBreaker } from './healingCircuitBreaker.js';

const HALF_OPEN_AFTER_MS = 30;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const down = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

function setup() {
  const recorder = createMemoryRecorder();
  let calls = 0;
  let healthy = false;
  const breaker = healingCircuitBreaker({ recorder, name: 'feature-store', failureThreshold: 2, halfOpenAfterMs: HALF_OPEN_AFTER_MS });
  const call = () =>
    breaker.execute(async () => {
      calls += 1;
      if (!healthy) throw down();
      return 'scores';
    });
  const open = async () => {
    await expect(call()).rejects.toThrow('read ECONNRESET');
    await expect(call()).rejects.toThrow('read ECONNRESET');
    expect(breaker.state).toBe(CircuitState.Open);
  };
  return { recorder, breaker, call, open, calls: () => calls, heal: () => (healthy = true) };
}

describe('healingCircuitBreaker', () => {
  test("passes the call's value and error through while closed, recording nothing", async () => {
    const { recorder, breaker, call, heal } = setup();
    await expect(call()).rejects.toThrow('read ECONNRESET');
    heal();
    await expect(call()).resolves.toBe('scores');
    expect(breaker.state).toBe(CircuitState.Closed);
    expect(recorder.events).toEqual([]);
  });

  test('an open breaker rejects without calling through and records nothing yet', async () => {
    const { recorder, call, open, calls } = setup();
    await open();
    await expect(call()).rejects.toBeInstanceOf(BrokenCircuitError);
    await expect(call()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(calls()).toBe(2);
    expect(recorder.events).toEqual([]);
  });

  test('records one successful reset when the trial call after halfOpenAfterMs works, and the breaker closes', async () => {
    const { recorder, breaker, call, open, calls, heal } = setup();
    await open();
    await wait(HALF_OPEN_AFTER_MS + 5);
    heal();
    await expect(call()).resolves.toBe('scores');
    await expect(call()).resolves.toBe('scores');
    expect(calls()).toBe(4);
    expect(breaker.state).toBe(CircuitState.Closed);
    expect(recorder.events).toHaveLength(1);
    const [event] = recorder.events;
    expect(event).toMatchObject({
      healing_type: 'circuit_breaker_reset',
      success: true,
      root_cause: 'ECONNRESET',
      before_state: { dependency: 'feature-store', circuit: 'open' },
      after_state: { dependency: 'feature-store', circuit: 'closed' },
      metadata: { policy: 'healingCircuitBreaker', failure_threshold: 2, half_open_after_ms: HALF_OPEN_AFTER_MS, opening_error: 'read ECONNRESET' },
    });
    expect(event!.trigger_reason).toMatch(/^Circuit breaker for feature-store opened after 2 failed calls in a row \(read ECONNRESET\) and was tried again after \d+\.\d s$/);
    expect(event!.metadata.open_ms).toBeGreaterThanOrEqual(HALF_OPEN_AFTER_MS);
  });

  test("records one failed reset when the trial call fails, rethrows the trial's error, and stays open", async () => {
    const { recorder, breaker, call, open, calls } = setup();
    await open();
    await wait(HALF_OPEN_AFTER_MS + 5);
    await expect(call()).rejects.toThrow('read ECONNRESET');
    expect(breaker.state).toBe(CircuitState.Open);
    await expect(call()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(calls()).toBe(3);
    expect(recorder.events.map((event) => [event.healing_type, event.success, event.root_cause])).toEqual([['circuit_breaker_reset', false, 'ECONNRESET']]);
    expect(recorder.events[0]!.after_state).toMatchObject({ circuit: 'open' });
  });

  test('records one event per trial: a failed one, then a successful one', async () => {
    const { recorder, call, open, heal } = setup();
    await open();
    await wait(HALF_OPEN_AFTER_MS + 5);
    await expect(call()).rejects.toThrow('read ECONNRESET');
    await wait(HALF_OPEN_AFTER_MS + 5);
    heal();
    await expect(call()).resolves.toBe('scores');
    expect(recorder.events.map((event) => event.success)).toEqual([false, true]);
    expect(recorder.events[1]!.trigger_reason).toContain('opened again after a failed trial');
    expect(recorder.events[1]!.metadata.failed_trials_before).toBe(1);
  });
});
