import { afterStop, StopRequest } from './stopping.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the stop timeline', () => {
  it('counts from the SIGTERM itself when the stop came earlier, while the program was loading', async () => {
    const stop = new AbortController();
    stop.abort(new StopRequest('SIGTERM', Date.now() - 900));
    const signal = afterStop(stop.signal, 1_000);
    expect(signal.aborted).toBe(false);
    await sleep(250);
    expect(signal.aborted).toBe(true);
  });

  it('fires the given time after a stop that comes later, and never without one', async () => {
    const stop = new AbortController();
    const signal = afterStop(stop.signal, 100);
    await sleep(200);
    expect(signal.aborted).toBe(false);
    stop.abort(new StopRequest('SIGTERM'));
    await sleep(50);
    expect(signal.aborted).toBe(false);
    await sleep(150);
    expect(signal.aborted).toBe(true);
  });
});
