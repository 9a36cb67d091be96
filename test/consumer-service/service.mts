/**
 * A pipeline service as a user would write one: it installs auto-batch-cleanup (here by path) and
 * protects its dependencies with the healing policies. Its dependencies are stand-ins that fail in
 * a known way. Prints one JSON line `{"summary": ...}` once close() has answered, and then leaves
 * Node to end the process by itself, as a script or a server's graceful shutdown does.
 *   node .build/service.mjs healthy   retry, fallback and circuit breaker heals, then close()
 *   node .build/service.mjs down      retried calls while Firestore is down, then close()
 */
import { BrokenCircuitError, createHealingRecorder, healingCircuitBreaker, healingFallback, healingRetry } from 'auto-batch-cleanup/healing';

const mode = process.argv[2] ?? 'healthy';
const recorder = createHealingRecorder({
  flushIntervalMs: 50,
  writeTimeoutMs: Number(process.env.WRITE_TIMEOUT_MS ?? 2_000),
  retryInitialDelayMs: 100,
  closeTimeoutMs: Number(process.env.CLOSE_TIMEOUT_MS ?? 5_000),
});

const connectionReset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Feature store stand-in: the first call of each request is reset, the second answers. */
function featureStore(request: number): () => Promise<{ request: number; features: number[] }> {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls === 1) throw connectionReset();
    return { request, features: [0.4, 0.6] };
  };
}

const retry = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 });
const executeMs: number[] = [];
const values: unknown[] = [];
const requests = Number(process.env.REQUESTS ?? 3);
for (let request = 0; request < requests; request += 1) {
  const started = performance.now();
  values.push(await retry.execute(featureStore(request)));
  executeMs.push(performance.now() - started);
}

let breakerRefused = 0;
if (mode === 'healthy') {
  const odds = healingFallback({ recorder, name: 'odds-api', fallback: () => ({ odds: 'yesterday' }) });
  for (let i = 0; i < 2; i += 1) values.push(await odds.execute(async (): Promise<{ odds: string }> => { throw new Error('odds-api returned 503'); }));

  let rosterUp = false;
  const roster = healingCircuitBreaker({ recorder, name: 'roster-service', failureThreshold: 2, halfOpenAfterMs: 50 });
  const rosterCall = () => roster.execute(async () => { if (!rosterUp) throw connectionReset(); return 'roster'; });
  for (let i = 0; i < 3; i += 1) {
    try {
      await rosterCall();
    } catch (error) {
      if (error instanceof BrokenCircuitError) breakerRefused += 1;
    }
  }
  await sleep(60);
  rosterUp = true;
  values.push(await rosterCall());
}

const closeStartedAt = Date.now();
const closeStarted = performance.now();
const closed = await recorder.close();
const summary = {
  mode,
  closed,
  close_ms: Math.round(performance.now() - closeStarted),
  close_started_at: closeStartedAt,
  execute_ms: executeMs.map(Math.round),
  values: values.length,
  breaker_refused: breakerRefused,
};
process.stdout.write(`${JSON.stringify({ summary })}\n`);
