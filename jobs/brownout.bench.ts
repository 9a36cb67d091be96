/**
 * Benchmark (prints figures): 200 stalled batches healed while BigQuery hangs (accepts, never
 * answers), against the same with BigQuery healthy: time until the last batch is healed, and the
 * run's whole duration, bounded by EXPORT_DEADLINE_SECONDS.
 *   npm run bench:brownout
 */
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { benchRun, seedStalled } from '../test/support/benchRuns.js';

const STALLED = Number(process.env.BENCH_STALLED ?? 200);
const DEADLINE = process.env.BENCH_EXPORT_DEADLINE ?? '60';
const suffix = Math.random().toString(16).slice(2, 10);
const standIn = new BigQueryStandIn();
await standIn.start();

for (const mode of ['forward', 'hang'] as const) {
  const config = loadJobConfig({
    ...process.env, BATCH_COLLECTION: `bench_batches_${mode}_${suffix}`, HEALING_COLLECTION: `bench_events_${mode}_${suffix}`,
    HEALING_DATASET: `bench_${suffix}`, MAX_HEALS_PER_RUN: String(STALLED), EXPORT_DEADLINE_SECONDS: DEADLINE, LOG_LEVEL: 'info',
  });
  const firestore = createFirestore(config);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
  await seedStalled(firestore, config.batchCollection, STALLED, 'b');
  await firestore.terminate();

  standIn.mode = mode;
  const run = await benchRun(config, standIn.url);
  const healedAt = run.lines.filter((line) => String(line.message).startsWith('healed batch')).map((line) => Date.parse(String(line.time)));
  const lastHeal = (Math.max(...healedAt) - run.started) / 1000;
  const name = mode === 'forward' ? 'BigQuery healthy' : 'BigQuery hanging';
  console.log(
    `${name.padEnd(17)} healed ${run.summary.healed}/${STALLED}, last heal after ${lastHeal.toFixed(2)} s, run ${((run.ended - run.started) / 1000).toFixed(2)} s ` +
      `(export deadline ${DEADLINE} s), exported ${run.summary.exported}, pending ${run.summary.pending_export}, exit ${run.exitCode}`,
  );
}
await standIn.stop();
