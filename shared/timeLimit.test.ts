import { deadlineSignal, TIMED_OUT, within } from './timeLimit.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlineSignal', () => {
  test('fires at its deadline with a TimeoutError', async () => {
    const { signal, clear } = deadlineSignal(20);
    expect(signal.aborted).toBe(false);
    await wait(40);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
    clear();
  });

  test('fires as soon as another signal fires, with its reason', () => {
    const stop = new AbortController();
    const { signal, clear } = deadlineSignal(60_000, stop.signal);
    stop.abort('SIGTERM');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('SIGTERM');
    clear();
  });

  test('starts fired when another signal already fired', () => {
    const { signal, clear } = deadlineSignal(60_000, AbortSignal.abort('stopped'));
    expect(signal.reason).toBe('stopped');
    clear();
  });

  test('after clear() neither the timer nor the other signal fires it', async () => {
    const stop = new AbortController();
    const { signal, clear } = deadlineSignal(20, stop.signal);
    clear();
    stop.abort();
    await wait(40);
    expect(signal.aborted).toBe(false);
  });
});

describe('within', () => {
  test('gives the result of work that settles in time, TIMED_OUT otherwise', async () => {
    await expect(within(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(within(wait(200), 10)).resolves.toBe(TIMED_OUT);
  });
});
