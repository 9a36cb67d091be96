/**
 * Benchmark (prints figures): the Firestore cost of an alert check, whatever the number of events:
 * count aggregations bill one read per 1,000 index entries. Checks a quiet type and one with
 * 10,000 events in the last day, through the log channel.
 *   npm run bench:alerts
 */
import { randomBytes } from 'node:crypto';
import { createFirestore } from '../firestoreClient.js';
import { loadCommonConfig } from '../config.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createHealingEvent } from '../healingEvent.js';
import { createLogger } from '../logger.js';
import { toFirestoreDocument } from '../outbox/eventDocument.js';
import { Deadline } from './AlertChannel.js';
import { Alerter } from './Alerter.js';
import { LogChannel } from './LogChannel.js';

const WINDOW_EVENTS = Number(process.env.BENCH_WINDOW_EVENTS ?? 10_000);
const suffix = randomBytes(4).toString('hex');
const config = loadCommonConfig({ ...process.env, HEALING_COLLECTION: `bench_events_${suffix}` });
const firestore = createFirestore(config);
const logger = createLogger({ level: 'error' });

const now = Date.now();
const writer = firestore.bulkWriter();
for (let i = 0; i < WINDOW_EVENTS; i += 1) {
  const event = createHealingEvent({
    healing_type: 'bench_busy', trigger_reason: `Batch b${i} stalled at 95.0% (19/20) for 30.0 minutes`, root_cause: 'stalled_batch',
    action_taken: `Marked batch b${i} complete`, before_state: {}, after_state: {}, success: i % 10 !== 0, metadata: {},
    timestamp: new Date(now - (i % 1400) * 60_000),
  });
  void writer.create(firestore.collection(config.healingCollection).doc(event.healing_id), toFirestoreDocument(event));
}
await writer.close();

for (const healingType of ['bench_quiet', 'bench_busy']) {
  const reads = new FirestoreReadMeter();
  const alerter = new Alerter({ firestore, collection: config.healingCollection, channel: new LogChannel(logger), logger, reads, table: 'p.d.t', stallMinutes: 15 });
  const start = performance.now();
  const [check] = await alerter.check([healingType], new Deadline(60_000));
  const ms = performance.now() - start;
  console.log(`alert check of ${healingType}: ${check!.counts!.lastDay} events in 24 h: ${reads.reads} Firestore reads (alert state and quoted events included) in ${ms.toFixed(0)} ms`);
}
await firestore.terminate();
