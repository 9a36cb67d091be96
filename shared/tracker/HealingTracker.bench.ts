/**
 * Benchmark (prints figures, not a test): events recorded per second into both emulators, and
 * Firestore reads per pattern check with 10,000 events of one type in the window.
 *   scripts/bench.sh shared/tracker/HealingTracker.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { loadCommonConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createHealingEvent } from '../healingEvent.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { toFirestoreDocument } from '../outbox/eventDocument.js';
import { createTracker } from './createTracker.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300);
const WINDOW_EVENTS = Number(process.env.BENCH_WINDOW_EVENTS ?? 10_000);
const suffix = randomBytes(4).toString('hex');
const config = loadCommonConfig({ ...process.env, HEALING_COLLECTION: `bench_events_${suffix}`, HEALING_DATASET: `bench_${suffix}` });
const logger = createLogger({ level: 'error' });
const { firestore, table, tracker } = createTracker(config, { logger });
await table.ensureExists();

const input = (i: number) => ({
  healing_type: 'bench_record',
  trigger_reason: `Batch b${i} stalled at 95.0% (19/20) for 30.0 minutes`,
  root_cause: 'stalled_batch',
  action_taken: `Marked batch b${i} complete`,
  before_state: { completed: 19, expected: 20 },
  after_state: { is_complete: true },
  success: true,
  metadata: { batch_id: `b${i}` },
});

let start = performance.now();
for (let i = 0; i < RECORDS; i += 1) await tracker.record(input(i));
const recordSeconds = (performance.now() - start) / 1000;
console.log(`record(): ${RECORDS} events one by one into Firestore and BigQuery in ${recordSeconds.toFixed(2)} s = ${(RECORDS / recordSeconds).toFixed(0)} events/s`);

const now = Date.now();
const writer = firestore.bulkWriter();
for (let i = 0; i < WINDOW_EVENTS; i += 1) {
  const event = createHealingEvent({ ...input(i), healing_type: 'bench_window', success: i % 10 !== 0, timestamp: new Date(now - (i % 1400) * 60_000) });
  void writer.create(firestore.collection(config.healingCollection).doc(event.healing_id), toFirestoreDocument(event));
}
await writer.close();

for (const healingType of ['bench_record', 'bench_window']) {
  const reads = new FirestoreReadMeter();
  const { tracker: checker } = createTracker(config, { logger, firestore, reads });
  start = performance.now();
  const check = await checker.checkPatterns(healingType);
  const ms = performance.now() - start;
  // An alert adds one read for its state and up to five for the recent events it quotes.
  console.log(
    `checkPatterns(${healingType}): ${check.counts.lastDay} events in 24 h, level ${check.level ?? 'none'}: ${reads.reads} Firestore reads (billing model, alert included) in ${ms.toFixed(0)} ms`,
  );
}
await firestore.terminate();
