/**
 * Benchmark of the healing module (prints figures, asserts nothing): the overhead each policy adds
 * to one execute(), without a heal and with one, and how many events per second the recorder
 * writes to the Firestore emulator in batches.
 *
 *   npm run bench:healing      (builds, then scripts/bench.sh starts the local stack if needed and runs this file)
 *
 * BENCH_CALLS changes the executes per figure (default 20,000); BENCH_EVENTS the events written (default 10,000).
 */
import { setTimeout as tick } from 'node:timers/promises';
import { createLogger } from '../logger.js';
import { createHealingRecorder } from './createHealingRecorder.js';
import { healingCircuitBreaker } from './healingCircuitBreaker.js';
import { healingFallback } from './healingFallback.js';
import { healingRetry } from './healingRetry.js';
import type { HealingRecorder } from './HealingRecorder.js';
import { createMemoryRecorder } from './memoryRecorder.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const HEALS = Math.min(CALLS, 2_000);

const ok = async () => 1;
const failure = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** Mean µs of one call of `run`, after a warm-up; `i` is the call's number. */
async function perCall(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1_000, count); i += 1) await run(i);
  const started = performance.now();
  for (let i = 0; i < count; i += 1) await run(i);
  return ((performance.now() - started) * 1_000) / count;
}

function recorder(): HealingRecorder & { events: unknown[] } {
  const memory = createMemoryRecorder();
  // Keeps memory flat over many heals; building the event (what record() costs) still happens.
  return { ...memory, record: (input) => { const event = memory.record(input); memory.events.length = 0; return event; } };
}

const line = (label: string, us: number, base?: number) =>
  console.log(`${label.padEnd(76)} ${us.toFixed(2).padStart(9)} µs${base === undefined ? '' : `   (overhead ${(us - base).toFixed(2)} µs)`}`);

console.log(`Policy overhead per execute(), mean of ${CALLS.toLocaleString('en')} calls (heals: ${HEALS.toLocaleString('en')}), Node ${process.version}`);
const bare = await perCall(CALLS, () => ok());
line('bare await fn()', bare);

const retry = healingRetry({ recorder: recorder(), name: 'bench', maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 });
line('healingRetry, no heal', await perCall(CALLS, () => retry.execute(ok)), bare);
const timerTick = await perCall(HEALS, () => tick(0));
line('  one setTimeout(0) (the wait between attempts, even at 0 ms)', timerTick);
const bareRetry = await perCall(HEALS, async () => {
  try {
    throw failure();
  } catch {
    await tick(0);
    return ok();
  }
});
line('  hand-written retry of one failure (throw, catch, tick, call)', bareRetry);
line(
  'healingRetry, heal (one failed attempt, one retry, one event)',
  await perCall(HEALS, () => {
    let calls = 0;
    return retry.execute(async () => {
      calls += 1;
      if (calls === 1) throw failure();
      return 1;
    });
  }),
  bareRetry,
);

const fallback = healingFallback({ recorder: recorder(), name: 'bench', fallback: () => 0 });
line('healingFallback, no heal', await perCall(CALLS, () => fallback.execute(ok)), bare);
const bareFallback = await perCall(CALLS, async () => {
  try {
    throw failure();
  } catch {
    return 0;
  }
});
line('  hand-written fallback (throw, catch, value)', bareFallback);
line('healingFallback, heal (fallback served, one event)', await perCall(HEALS, () => fallback.execute(async () => { throw failure(); })), bareFallback);

const breaker = healingCircuitBreaker({ recorder: recorder(), name: 'bench', failureThreshold: 1_000_000_000, halfOpenAfterMs: 0 });
line('healingCircuitBreaker, closed, no heal', await perCall(CALLS, () => breaker.execute(ok)), bare);
const resetting = healingCircuitBreaker({ recorder: recorder(), name: 'bench', failureThreshold: 1, halfOpenAfterMs: 0 });
const cycle = await perCall(HEALS, async () => {
  await resetting.execute(async () => { throw failure(); }).catch(() => undefined);
  return resetting.execute(ok);
});
line('healingCircuitBreaker, heal (open on a failure, trial closes it, one event)', cycle, bareFallback + bare);

const recordCost = createHealingRecorder({ collection: 'bench_healing_record_cost', logger: createLogger({ level: 'error' }), flushIntervalMs: 3_600_000, batchSize: 500, maxBufferedEvents: 1_000 });
const input = (i: number) => ({
  healing_type: 'bench_retry',
  trigger_reason: 'Call to feature-store failed: read ECONNRESET',
  root_cause: 'ECONNRESET',
  action_taken: 'Retried feature-store 1 time(s) with exponential backoff; attempt 2 of 3 succeeded',
  before_state: { dependency: 'feature-store', answering: false, error: 'read ECONNRESET' },
  after_state: { dependency: 'feature-store', answering: true, attempts: 2 },
  success: true,
  metadata: { policy: 'healingRetry', name: 'feature-store', attempts: 2, max_attempts: 3, delays_ms: [130], errors: ['read ECONNRESET'], i },
});
let started = performance.now();
for (let i = 0; i < 400; i += 1) recordCost.record(input(i));
console.log(`${'recorder.record() (build the event, queue it)'.padEnd(76)} ${(((performance.now() - started) * 1_000) / 400).toFixed(2).padStart(9)} µs`);
await recordCost.close();

console.log(`\nRecorder writes to the Firestore emulator (${process.env.FIRESTORE_EMULATOR_HOST ?? 'Firestore'}), ${EVENTS.toLocaleString('en')} events`);
const collection = `bench_healing_${Date.now().toString(36)}`;
for (const batchSize of [100, 250, 500]) {
  const writer = createHealingRecorder({ collection: `${collection}_${batchSize}`, logger: createLogger({ level: 'warn' }), batchSize, maxBufferedEvents: EVENTS, closeTimeoutMs: 600_000 });
  await tick(500); // let the client's one-time setup finish, as at a service's startup
  started = performance.now();
  for (let i = 0; i < EVENTS; i += 1) writer.record(input(i));
  const recordMs = performance.now() - started;
  const result = await writer.close();
  const seconds = (performance.now() - started) / 1_000;
  console.log(
    `batchSize ${String(batchSize).padStart(3)}: ${result.written.toLocaleString('en')} written in ${seconds.toFixed(2)} s = ${Math.round(result.written / seconds).toLocaleString('en')} events/s (record() of all took ${recordMs.toFixed(0)} ms; unwritten ${result.unwritten}, dropped ${result.dropped})`,
  );
}
