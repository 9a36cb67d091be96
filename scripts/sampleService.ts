/**
 * A small pipeline service for the demo: it scores players through three stand-in dependencies
 * that fail the way real ones do, protected by the healing policies, so the events the demo's job
 * run exports and analyses are real `retry`, `fallback`, `circuit_breaker_reset` and
 * `worker_restart` heals. Reads GOOGLE_CLOUD_PROJECT, FIRESTORE_EMULATOR_HOST and
 * HEALING_COLLECTION like any service using the module.
 *   tsx scripts/sampleService.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../shared/logger.js';
import {
  BrokenCircuitError,
  createHealingRecorder,
  healingCircuitBreaker,
  healingFallback,
  healingRetry,
  healingWatchdog,
  type HealingRecorder,
} from '../shared/healing/index.js';

const REQUESTS = 60;
const say = (line: string) => process.stdout.write(`  ${line}\n`);

/** A small seeded generator, so every demo run fails the same way. */
let seed = 7;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
const http = (status: number, message: string) => Object.assign(new Error(message), { status });

const inner = createHealingRecorder({ logger: createLogger({ level: 'warn' }), flushIntervalMs: 200 });
const counts = new Map<string, { events: number; failed: number }>();
const recorder: HealingRecorder = {
  record(input) {
    const count = counts.get(input.healing_type) ?? { events: 0, failed: 0 };
    counts.set(input.healing_type, { events: count.events + 1, failed: count.failed + (input.success ? 0 : 1) });
    return inner.record(input);
  },
  close: () => inner.close(),
};

// feature-store: resets a connection now and then, sometimes answers 503; a call may fail twice.
const featureStore = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200, random });
async function fetchFeatures(player: number): Promise<number[]> {
  const roll = random();
  if (roll < 0.18) throw coded(`read ECONNRESET (player ${player})`, 'ECONNRESET');
  if (roll < 0.26) throw http(503, `feature-store answered HTTP 503 for player ${player}`);
  return [player % 7, player % 11];
}

// odds-api: times out on some calls; yesterday's odds are served instead, unless none are cached.
const cachedOdds = new Map<number, number>();
const odds = healingFallback({
  recorder,
  name: 'odds-api',
  fallback: (error) => {
    const game = (error as { game?: number }).game ?? -1;
    const cached = cachedOdds.get(game);
    if (cached === undefined) throw new Error(`no cached odds for game ${game}`);
    return cached;
  },
});
async function fetchOdds(game: number): Promise<number> {
  if (random() < 0.12) throw Object.assign(coded(`connect ETIMEDOUT odds-api for game ${game}`, 'ETIMEDOUT'), { game });
  const value = 1.5 + (game % 5) / 10;
  cachedOdds.set(game, value);
  return value;
}

// roster-service: down for a stretch of requests; the breaker stops calling it, then tries again.
const roster = healingCircuitBreaker({ recorder, name: 'roster-service', failureThreshold: 3, halfOpenAfterMs: 150 });
const rosterDown = (request: number) => request >= 20 && request < 38;

// prediction-worker: hangs once; the watchdog restarts it.
let workerHung = false;
let restarts = 0;
const watchdog = healingWatchdog({
  recorder,
  name: 'prediction-worker',
  intervalMs: 40,
  failuresBeforeRestart: 2,
  check: () => !workerHung,
  restart: () => {
    restarts += 1;
    workerHung = false;
  },
});

let served = 0;
let unserved = 0;
let skippedRoster = 0;
for (let request = 0; request < REQUESTS; request += 1) {
  const player = 1000 + request;
  const game = request % 6;
  if (request === 45) workerHung = true;
  try {
    await featureStore.execute(() => fetchFeatures(player));
    await odds.execute(() => fetchOdds(game));
    try {
      await roster.execute(async () => {
        if (rosterDown(request)) throw http(502, 'roster-service returned 502 Bad Gateway');
        return 'roster';
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) skippedRoster += 1;
    }
    served += 1;
  } catch {
    unserved += 1;
  }
  await sleep(15);
}
await sleep(200);
await watchdog.stop();
const closed = await recorder.close();

say(`scored ${REQUESTS} players: ${served} served, ${unserved} gave up; roster skipped ${skippedRoster} time(s) while its breaker was open; ${restarts} worker restart(s)`);
for (const [type, count] of [...counts].sort()) say(`${type}: ${count.events} event(s), ${count.failed} failed`);
say(`recorder closed: ${closed.written} written to Firestore, ${closed.unwritten} unwritten, ${closed.dropped} dropped`);
if (closed.unwritten > 0 || closed.dropped > 0) process.exitCode = 1;
