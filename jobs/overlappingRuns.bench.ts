/**
 * Benchmark (prints figures): trials of four runs over 500 stalled batches started 1.5 s apart,
 * each with its own Firestore client, their inserts held 2 s by a loopback stand-in in front of
 * the BigQuery emulator (which ignores insert ids, so any double export shows as a duplicate row).
 * Reports rows, heals and duplicate rows per trial, and wall time against one run alone.
 *   npm run bench:overlap            BENCH_TRIALS (10), BENCH_STALLED (500), BENCH_RUNS (4)
 */
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { benchRun, seedStalled } from '../test/support/benchRuns.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const STALLED = Number(process.env.BENCH_STALLED ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const STAGGER_MS = 1_500;
const suffix = Math.random().toString(16).slice(2, 10);
const standIn = new BigQueryStandIn({ insertDelayMs: 2_000 });
await standIn.start();
const bigquery = createBigQuery(loadJobConfig(process.env));

async function trial(name: string, runs: number) {
  const config = loadJobConfig({
    ...process.env, BATCH_COLLECTION: `bench_batches_${name}_${suffix}`, HEALING_COLLECTION: `bench_events_${name}_${suffix}`,
    HEALING_DATASET: `bench_${suffix}`, MAX_HEALS_PER_RUN: String(STALLED + 100), LOG_LEVEL: 'info',
  });
  const firestore = createFirestore(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  await seedStalled(firestore, config.batchCollection, STALLED, 'b');
  await firestore.terminate();
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: runs }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * STAGGER_MS)).then(() => benchRun(config, standIn.url))),
  );
  const seconds = (Date.now() - started) / 1000;
  const stopped = results.flatMap((run) => run.lines.filter((line) => /BigQuery (export|insert)/.test(String(line.message))).map((line) => String(line.message)));
  const rowsNow = await countRows(config);
  const catchUp = await benchRun(config, standIn.url);
  const after = await countRows(config);
  const heals = results.reduce((total, run) => total + run.summary.healed, 0);
  return { seconds, heals, rowsNow, rows: after.rows, duplicates: after.rows - after.ids, caughtUp: catchUp.summary.exported, stopped };
}

async function countRows(config: ReturnType<typeof loadJobConfig>) {
  const [rows] = await bigquery.query({
    query: `SELECT COUNT(*) AS row_count, COUNT(DISTINCT healing_id) AS id_count FROM \`${config.projectId}.${config.dataset}.${config.table}\`
            WHERE JSON_VALUE(metadata, '$.batch_collection') = @collection`,
    params: { collection: config.batchCollection },
  });
  const { row_count: rowCount, id_count: idCount } = (rows as Array<{ row_count: number; id_count: number }>)[0]!;
  return { rows: Number(rowCount), ids: Number(idCount) };
}

const single = await trial('single', 1);
console.log(`one run alone: ${single.heals} heals, ${single.rows} rows, ${single.duplicates} duplicate rows, ${single.seconds.toFixed(1)} s`);
let worst = 0;
for (let t = 1; t <= TRIALS; t += 1) {
  const result = await trial(`t${t}`, RUNS);
  worst = Math.max(worst, result.duplicates);
  const late = result.caughtUp > 0 ? ` (${result.rowsNow} right after the runs, ${result.caughtUp} exported by the next run: ${[...new Set(result.stopped)].join('; ')})` : '';
  console.log(
    `trial ${String(t).padStart(2)}: ${RUNS} runs ${STAGGER_MS / 1000} s apart: heals ${result.heals}, rows ${result.rows}${late}, duplicate rows ${result.duplicates}, ` +
      `wall ${result.seconds.toFixed(1)} s (${(result.seconds / single.seconds).toFixed(2)}x one run)`,
  );
}
console.log(`duplicate rows in the worst trial: ${worst}`);
await standIn.stop();
