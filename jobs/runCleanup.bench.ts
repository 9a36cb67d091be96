/**
 * Benchmark (prints figures, not a test): a collection of 100,000 batches of which 1,000 are
 * candidates (open and created within 24 hours) and 200 stalled. Runs the built job once as its
 * own process and reports wall time, Firestore reads, peak memory and heals per second.
 *   npm run build && scripts/bench.sh jobs/runCleanup.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Timestamp } from '@google-cloud/firestore';
import { createBigQuery, createFirestore } from '../shared/clients.js';
import { loadCommonConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import type { CleanupSummary } from './runCleanup.js';

const TOTAL = Number(process.env.BENCH_BATCHES ?? 100_000);
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 1_000);
const STALLED = Number(process.env.BENCH_STALLED ?? 200);
const suffix = randomBytes(4).toString('hex');
const env = {
  ...process.env,
  BATCH_COLLECTION: `bench_batches_${suffix}`,
  HEALING_COLLECTION: `bench_events_${suffix}`,
  HEALING_DATASET: `bench_${suffix}`,
  MAX_HEALS_PER_RUN: String(STALLED),
  LOG_LEVEL: 'info',
};
const config = loadCommonConfig(env);
const firestore = createFirestore(config);
// The deploy script creates the table in production; here the benchmark does.
await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
const now = Date.now();
const ago = (minutes: number) => Timestamp.fromMillis(now - minutes * 60_000);
const players = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

let start = performance.now();
const writer = firestore.bulkWriter();
const batches = firestore.collection(env.BATCH_COLLECTION);
for (let i = 0; i < TOTAL; i += 1) {
  let data: Record<string, unknown>;
  if (i < STALLED) {
    data = { is_complete: false, created_at: ago(120), updated_at: ago(30), expected_players: 20, completed_players: players(19) };
  } else if (i < CANDIDATES) {
    data = { is_complete: false, created_at: ago(60), updated_at: ago(2), expected_players: 20, completed_players: players(10) };
  } else if (i % 2 === 0) {
    data = { is_complete: true, created_at: ago(600), updated_at: ago(500), expected_players: 20, completed_players: players(20) };
  } else {
    data = { is_complete: false, created_at: ago(3 * 24 * 60), updated_at: ago(3 * 24 * 60), expected_players: 20, completed_players: players(15) };
  }
  void writer.set(batches.doc(`batch-${String(i).padStart(6, '0')}`), { ...data, game_date: '2026-11-22' });
}
await writer.close();
await firestore.terminate();
console.log(`seeded ${TOTAL} batches (${CANDIDATES} candidates, ${STALLED} stalled) in ${((performance.now() - start) / 1000).toFixed(1)} s`);

const bin = fileURLToPath(new URL('../dist/jobs/main.js', import.meta.url));
const preload = fileURLToPath(new URL('../scripts/reportPeakMemory.js', import.meta.url));
start = performance.now();
const job = spawnSync(process.execPath, ['--import', preload, bin], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const wallSeconds = (performance.now() - start) / 1000;
const summary = job.stdout
  .split('\n')
  .filter((line) => line.includes('"run summary"'))
  .map((line) => JSON.parse(line) as CleanupSummary)[0];
if (job.status !== 0 || summary === undefined) {
  console.error(`job exited ${job.status}: ${job.stderr}`);
  process.exit(1);
}
const peak = /peak_rss_mb=([\d.]+)/.exec(job.stderr)?.[1];
console.log(`job process: wall ${wallSeconds.toFixed(2)} s (run itself ${summary.duration_ms} ms), peak memory ${peak} MB`);
console.log(`found ${summary.found}, stalled ${summary.stalled}, healed ${summary.healed}, exported ${summary.exported}, failed ${summary.failed}`);
console.log(`heals per second (run time): ${((summary.healed * 1000) / summary.duration_ms).toFixed(0)}`);
console.log(`Firestore reads: ${summary.firestore_reads} for ${TOTAL} batches and ${CANDIDATES} candidates = ${(summary.firestore_reads / CANDIDATES).toFixed(2)} per candidate, ${((summary.firestore_reads / TOTAL) * 100).toFixed(2)}% of the collection`);
