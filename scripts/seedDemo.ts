/**
 * Seeds the local emulators with a realistic day of prediction batches and a week of earlier
 * healing events, for the demo. Clears the demo's collections and table first, so it can be re-run.
 */
import { Timestamp } from '@google-cloud/firestore';
import { createBigQuery, createFirestore } from '../shared/clients.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { loadJobConfig } from '../shared/config.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { createLogger } from '../shared/logger.js';
import { toFirestoreDocument } from '../shared/outbox/eventDocument.js';

const config = loadJobConfig(process.env);
const now = Date.now();
const minutesAgo = (minutes: number) => Timestamp.fromMillis(now - minutes * 60_000);
const say = (line: string) => process.stdout.write(`  ${line}\n`);

/** A small seeded generator, so every demo run shows the same day. */
let seed = 20261123;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}
const between = (low: number, high: number) => low + random() * (high - low);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const GAME_DATE = new Date(now - 86_400_000).toISOString().slice(0, 10);

function batch(completed: number, expected: number, stalledMinutes: number, ageMinutes: number, extra: Record<string, unknown> = {}) {
  return {
    is_complete: false,
    created_at: minutesAgo(ageMinutes),
    updated_at: minutesAgo(stalledMinutes),
    expected_players: expected,
    completed_players: Array.from({ length: completed }, (_, i) => `player_${i + 1}`),
    game_date: GAME_DATE,
    ...extra,
  };
}

function dayOfBatches(): Array<[string, Record<string, unknown>]> {
  const docs: Array<[string, Record<string, unknown>]> = [];
  const add = (kind: string, data: Record<string, unknown>) => docs.push([`${GAME_DATE}_${kind}_${String(docs.length).padStart(3, '0')}`, data]);
  for (let i = 0; i < 220; i += 1) {
    const expected = Math.round(between(80, 160));
    add('done', { ...batch(expected, expected, between(60, 1400), between(70, 1430)), is_complete: true });
  }
  for (let i = 0; i < 40; i += 1) {
    const expected = Math.round(between(80, 160));
    add('running', batch(Math.round(expected * between(0.2, 0.99)), expected, between(0, 10), between(5, 60)));
  }
  for (let i = 0; i < 18; i += 1) {
    const expected = Math.round(between(80, 160));
    const hint = i % 6 === 0 ? { failed_players: ['player_out_1', 'player_out_2'] } : i % 6 === 1 ? { last_error: 'worker timeout after 540s' } : {};
    add('stalled', batch(Math.round(expected * between(0.9, 0.995)), expected, between(16, 240), between(60, 600), hint));
  }
  for (let i = 0; i < 12; i += 1) {
    const expected = Math.round(between(80, 160));
    add('stuck_low', batch(Math.round(expected * between(0.5, 0.88)), expected, between(30, 300), between(60, 600)));
  }
  for (let i = 0; i < 8; i += 1) {
    add('yesterday', batch(95, 100, between(1500, 2000), between(1500, 2000)));
  }
  add('malformed', batch(19, 20, 40, 120, { updated_at: 'yesterday' }));
  add('malformed', batch(19, 20, 40, 120, { expected_players: '20' }));
  add('malformed', batch(0, 0, 40, 120));
  add('malformed', batch(25, 20, 40, 120));
  add('malformed', batch(19, 20, -120, 120));
  return docs;
}

const CAUSES = [
  { type: 'batch_cleanup', cause: 'stalled_batch', weight: 5 },
  { type: 'batch_cleanup', cause: 'player_failures', weight: 3 },
  { type: 'batch_cleanup', cause: 'worker_error', weight: 1 },
] as const;
// Retries, fallbacks and breaker resets are not made up here: scripts/sampleService.ts records
// real ones through the healing module before the job runs.

function weekOfHealingEvents(): HealingEvent[] {
  const events: HealingEvent[] = [];
  const weights = CAUSES.flatMap((entry) => Array<(typeof CAUSES)[number]>(entry.weight).fill(entry));
  for (let i = 0; i < 180; i += 1) {
    // More events towards today: the trend the analysis should point out.
    const age = 7 * 24 * 60 * Math.sqrt(random());
    const { type, cause } = pick(weights);
    const completed = Math.round(between(110, 135));
    const batchId = `batch_${Math.floor(between(1000, 9999))}`;
    const success = random() > 0.05;
    events.push(
      createHealingEvent({
        healing_id: `demo-history-${i}`,
        timestamp: new Date(now - age * 60_000 - 20 * 60_000),
        healing_type: type,
        trigger_reason: `Batch ${batchId} stalled at ${((completed / 136) * 100).toFixed(1)}% (${completed}/136) for ${between(16, 90).toFixed(1)} minutes`,
        root_cause: cause,
        action_taken: `Marked batch ${batchId} complete`,
        before_state: { batch_id: batchId },
        after_state: { ok: success },
        success,
        metadata: { batch_id: batchId, seeded_by: 'demo' },
      }),
    );
  }
  return events;
}

async function main(): Promise<void> {
  const firestore = createFirestore(config);
  const table = new HealingEventTable(createBigQuery(config), config.dataset, config.table);
  say(`clearing ${config.batchCollection}, ${config.healingCollection}, ${config.dataset}.${config.table} and ${config.dataset}.${config.verdictTable}`);
  await firestore.recursiveDelete(firestore.collection(config.batchCollection));
  await firestore.recursiveDelete(firestore.collection(config.healingCollection));
  await firestore.recursiveDelete(firestore.collection(`${config.healingCollection}_alert_state`));
  await table.table.delete({ ignoreNotFound: true });
  await table.ensureExists();
  const verdicts = new HealVerdictTable(table.bigquery, config.dataset, config.verdictTable);
  await verdicts.table.delete({ ignoreNotFound: true });
  await verdicts.ensureExists();

  const docs = dayOfBatches();
  const writer = firestore.bulkWriter();
  for (const [id, data] of docs) void writer.set(firestore.collection(config.batchCollection).doc(id), data);
  await writer.close();
  say(`seeded ${docs.length} batches for ${GAME_DATE}: 220 complete, 40 running, 18 stalled at 90-99%, 12 stuck below 90%, 8 from yesterday, 5 malformed`);

  const history = weekOfHealingEvents();
  const batchWrite = firestore.bulkWriter();
  for (const event of history) {
    void batchWrite.set(firestore.collection(config.healingCollection).doc(event.healing_id), { ...toFirestoreDocument(event), bigquery_exported: true });
  }
  await batchWrite.close();
  await table.insert(history);
  say(`seeded ${history.length} healing events from the past week into Firestore and BigQuery`);
  await firestore.terminate();
}

await main();
