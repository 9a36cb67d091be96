/**
 * Benchmark (prints figures, not a test): what the verify step of one run costs, in Firestore reads
 * and milliseconds, with 0, 200 and 2,000 heals awaiting verdicts (one in ten premature), beside as
 * many heals that have their verdicts already. The verify step only: no BigQuery.
 *   npm run bench:verify
 */
import { randomBytes } from 'node:crypto';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { createFirestore } from '../../shared/firestoreClient.js';
import { loadJobConfig } from '../../shared/config.js';
import { FirestoreReadMeter } from '../../shared/firestoreReads.js';
import { HealingEventTable } from '../../shared/healingEventTable.js';
import { HealVerdictTable } from '../../shared/healVerdictTable.js';
import { createMemoryLogger } from '../../shared/logger.js';
import { Outbox } from '../../shared/outbox/Outbox.js';
import { seedHeals, verdictsGivenSince } from '../../test/support/heals.js';
import { verifyHeals } from './verifyHeals.js';

const SIZES = (process.env.BENCH_AWAITING ?? '0,200,2000').split(',').map(Number);
const suffix = randomBytes(4).toString('hex');
const base = loadJobConfig({ ...process.env, HEALING_DATASET: `bench_${suffix}` });
const firestore = createFirestore(base);
const bigquery = createBigQuery(base);

async function measure(awaiting: number): Promise<void> {
  const config = { ...base, batchCollection: `bench_batches_${suffix}_${awaiting}`, healingCollection: `bench_events_${suffix}_${awaiting}` };
  const now = new Date();
  await verdictsGivenSince(firestore, config.healingCollection, new Date(now.getTime() - 48 * 3_600_000));
  const spec = (prefix: string) => (_: unknown, i: number) => ({ id: `${prefix}-${i}`, healedMinutesAgo: 90, ...(i % 10 === 0 ? { late: { players: 2, minutesAfter: 8 } } : {}) });
  // History that already has its verdicts: it must cost nothing.
  await seedHeals(firestore, config.batchCollection, config.healingCollection, Array.from({ length: Math.max(awaiting, 200) }, spec('settled')), now);
  const logger = createMemoryLogger('warn');
  const outbox = new Outbox({
    firestore, collection: config.healingCollection, logger, reads: new FirestoreReadMeter(), run: `bench-${suffix}`, claimTtlMs: 600_000,
    table: new HealingEventTable(bigquery, config.dataset, config.table), verdictTable: new HealVerdictTable(bigquery, config.dataset, config.verdictTable),
  });
  const verify = async () => {
    const reads = new FirestoreReadMeter();
    const started = performance.now();
    const result = await verifyHeals({
      firestore, outbox, healingCollection: config.healingCollection, verifyMinutes: 60, verifyHours: 24, taskIndex: 0, taskCount: 1,
      dryRun: false, runStart: new Date(), now: new Date(), reads, logger, stop: new AbortController().signal,
    });
    if (result.error !== undefined) throw result.error;
    return { ms: performance.now() - started, reads: reads.reads, given: result.given };
  };
  await verify();
  await seedHeals(firestore, config.batchCollection, config.healingCollection, Array.from({ length: awaiting }, spec('awaiting')), now);
  const run = await verify();
  console.log(`${String(awaiting).padStart(5)} heals awaiting verdicts: ${run.reads} Firestore reads, ${run.ms.toFixed(0)} ms (held ${run.given.held}, premature ${run.given.premature}, gone ${run.given.gone})`);
}

for (const size of SIZES) await measure(size);
await firestore.terminate();
