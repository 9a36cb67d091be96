/**
 * Benchmark (prints figures, not a test): the built job, run once as its own process, over
 * collections of open batches: 10,000 candidates of which 1,000 stalled, and 50,000 candidates
 * none stalled (MAX_HEALS_PER_RUN raised so the brake does not engage). Reports wall time, peak
 * memory (the job's Cloud Run memory is 512 MiB) and Firestore reads against their minimum (one per
 * candidate and one per heal). Each collection and dataset is deleted afterwards.
 *   npm run bench:job            BENCH_SCENARIOS="10000:1000,50000:0" (candidates:stalled, ...)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Timestamp } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import type { CleanupSummary } from './runCleanup.js';

const scenarios = (process.env.BENCH_SCENARIOS ?? '10000:1000,50000:0').split(',').map((pair) => pair.split(':').map(Number) as [number, number]);
const bin = fileURLToPath(new URL('../dist/jobs/main.js', import.meta.url));
const preload = fileURLToPath(new URL('../scripts/reportPeakMemory.js', import.meta.url));
const players = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

async function scenario(candidates: number, stalled: number): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const env = {
    ...process.env,
    BATCH_COLLECTION: `bench_batches_${suffix}`,
    HEALING_COLLECTION: `bench_events_${suffix}`,
    HEALING_DATASET: `bench_${suffix}`,
    MAX_HEALS_PER_RUN: String(candidates + 1),
    LOG_LEVEL: 'info',
  };
  const config = loadJobConfig(env);
  const firestore = createFirestore(config);
  const bigquery = createBigQuery(config);
  // The deploy script creates the table in production; here the benchmark does.
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  const now = Date.now();
  const ago = (minutes: number) => Timestamp.fromMillis(now - minutes * 60_000);

  let start = performance.now();
  const writer = firestore.bulkWriter();
  const batches = firestore.collection(config.batchCollection);
  for (let i = 0; i < candidates; i += 1) {
    const data = i < stalled
      ? { is_complete: false, created_at: ago(120), updated_at: ago(30), expected_players: 20, completed_players: players(19) }
      : { is_complete: false, created_at: ago(60), updated_at: ago(2), expected_players: 20, completed_players: players(10) };
    void writer.set(batches.doc(`batch-${String(i).padStart(6, '0')}`), { ...data, game_date: '2026-11-22' });
  }
  await writer.close();
  console.log(`${candidates} candidates, ${stalled} stalled: seeded in ${((performance.now() - start) / 1000).toFixed(1)} s`);

  start = performance.now();
  const job = spawnSync(process.execPath, ['--import', preload, bin], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallSeconds = (performance.now() - start) / 1000;
  const summary = job.stdout
    .split('\n')
    .filter((line) => line.includes('"run summary"'))
    .map((line) => JSON.parse(line) as CleanupSummary)[0];
  if (job.status !== 0 || summary === undefined) {
    console.error(`job exited ${job.status}: ${job.stderr}`);
  } else {
    const peak = /peak_rss_mb=([\d.]+)/.exec(job.stderr)?.[1];
    const minimum = candidates + stalled;
    console.log(`  job process: wall ${wallSeconds.toFixed(2)} s (run itself ${summary.duration_ms} ms), peak RSS ${peak} MB`);
    console.log(`  found ${summary.found}, stalled ${summary.stalled}, healed ${summary.healed}, exported ${summary.exported}, failed ${summary.failed}`);
    console.log(`  Firestore reads: ${summary.firestore_reads} (minimum ${minimum}: one per candidate and one per heal; ${summary.firestore_reads - minimum} more)`);
  }

  start = performance.now();
  await firestore.recursiveDelete(batches);
  await firestore.recursiveDelete(firestore.collection(config.healingCollection));
  await firestore.recursiveDelete(firestore.collection(`${config.healingCollection}_alert_state`));
  await bigquery.dataset(config.dataset).delete({ force: true });
  await firestore.terminate();
  console.log(`  cleaned up in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

for (const [candidates, stalled] of scenarios) await scenario(candidates, stalled);
