/**
 * Seeds the local emulators with a realistic day of prediction batches, a week of earlier healing
 * events with their verdicts, and heals of the last hours awaiting theirs, for the demo. Clears the
 * demo's collections and tables first, so it can be re-run.
 */
import { Timestamp } from '@google-cloud/firestore';
import type { Batch } from '../jobs/batchDocument.js';
import { healedEvent } from '../jobs/batchHealingEvent.js';
import { VERDICTS_CONTROL_DOCUMENT, VERDICTS_SINCE_FIELD } from '../jobs/verdicts/verdictsSince.js';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { loadJobConfig } from '../shared/config.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { toFirestoreDocument } from '../shared/outbox/eventDocument.js';
import { type HealVerdictRow, toVerdictJson, VERDICT_EXPORTED_FIELD, VERDICT_FIELD, verdictInsertId } from '../shared/outbox/verdictDocument.js';

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

/** The rule the job applied all week. */
const RULE = { stallMinutes: 15, minCompletionPct: 90, maxAgeHours: 24 };
/** History ends this long ago: newer heals are the earlier heals below, still awaiting their verdicts. */
const HISTORY_ENDS_MINUTES_AGO = 150;

interface SeededHeal {
  event: HealingEvent;
  verdict: HealVerdictRow | null;
}

function weekOfHealingEvents(): SeededHeal[] {
  const heals: SeededHeal[] = [];
  const weights = CAUSES.flatMap((entry) => Array<(typeof CAUSES)[number]>(entry.weight).fill(entry));
  for (let i = 0; i < 180; i += 1) {
    // More events towards today: the trend the analysis should point out.
    const age = 7 * 24 * 60 * Math.sqrt(random());
    const { type, cause } = pick(weights);
    const completed = Math.round(between(110, 135));
    const batchId = `batch_${Math.floor(between(1000, 9999))}`;
    const success = random() > 0.05;
    // The job runs every 15 minutes with a 15-minute rule: a batch is healed 15 to 30 minutes after its last progress.
    const stallMinutes = Math.round(between(15, 30) * 10) / 10;
    const event = createHealingEvent({
      healing_id: `demo-history-${i}`,
      timestamp: new Date(now - age * 60_000 - HISTORY_ENDS_MINUTES_AGO * 60_000),
      healing_type: type,
      trigger_reason: `Batch ${batchId} stalled at ${((completed / 136) * 100).toFixed(1)}% (${completed}/136) for ${stallMinutes.toFixed(1)} minutes`,
      root_cause: cause,
      action_taken: `Marked batch ${batchId} complete`,
      before_state: { batch_id: batchId, completed, expected: 136, stall_minutes: stallMinutes },
      after_state: { ok: success, completed },
      success,
      metadata: { batch_id: batchId, seeded_by: 'demo', rule: { stall_minutes: RULE.stallMinutes, min_completion_pct: RULE.minCompletionPct } },
    });
    heals.push({ event, verdict: success ? historyVerdict(event, stallMinutes) : null });
  }
  return heals;
}

/** Most heals of the week held; a few were premature (the worker came back) or their batch is gone. */
function historyVerdict(event: HealingEvent, stallMinutes: number): HealVerdictRow {
  const draw = random();
  const kind = draw < 0.07 ? 'premature' : draw < 0.09 ? 'gone' : 'held';
  const premature = kind === 'premature';
  return {
    healing_id: event.healing_id, healing_type: event.healing_type, verdict: kind,
    checked_at: new Date(event.timestamp.getTime() + between(60, 75) * 60_000), healed_at: event.timestamp, stall_minutes: stallMinutes,
    late_players: premature ? Math.round(between(1, 4)) : null, progress_after_minutes: premature ? Math.round(between(3, 30) * 10) / 10 : null,
    actor: null, reason: null,
  };
}

/**
 * Heals of the last few hours, awaiting their verdicts: the demo's run gives them. Their workers were
 * slow, not dead, for some (players written after the heal: premature); the others held; one batch
 * was deleted since (gone).
 */
const EARLIER_HEALS: Array<{ hoursAgo: number; late?: { players: number; minutesAfter: number }; deleted?: boolean }> = [
  { hoursAgo: 5.5, late: { players: 3, minutesAfter: 21 } },
  { hoursAgo: 5.1 },
  { hoursAgo: 4.6, late: { players: 1, minutesAfter: 6.5 } },
  { hoursAgo: 4.2 },
  { hoursAgo: 3.9, late: { players: 2, minutesAfter: 12 } },
  { hoursAgo: 3.5 },
  { hoursAgo: 3.3, deleted: true },
  { hoursAgo: 3.0, late: { players: 4, minutesAfter: 17.5 } },
  { hoursAgo: 2.8 },
  { hoursAgo: 2.6 },
  { hoursAgo: 2.4, late: { players: 1, minutesAfter: 9 } },
  { hoursAgo: 2.2 },
];

function earlierHeals(): Array<{ event: HealingEvent; batchId: string; batch: Record<string, unknown> | null }> {
  return EARLIER_HEALS.map((spec, i) => {
    const healedAt = new Date(now - spec.hoursAgo * 3_600_000);
    const expected = Math.round(between(80, 160));
    const batch: Batch = {
      id: `${GAME_DATE}_healed_${String(i).padStart(3, '0')}`, isComplete: false, createdAt: new Date(healedAt.getTime() - between(60, 180) * 60_000),
      updatedAt: new Date(healedAt.getTime() - between(16, 40) * 60_000), expectedPlayers: expected, completedPlayers: Math.round(expected * between(0.9, 0.98)),
      gameDate: GAME_DATE, failedPlayers: 0, lastError: null,
    };
    const event = createHealingEvent(healedEvent(batch, healedAt, { execution: 'demo-earlier-run', taskIndex: 0, taskCount: 1 }, config.batchCollection, RULE), healedAt);
    if (spec.deleted) return { event, batchId: batch.id, batch: null };
    const written = Timestamp.fromMillis(healedAt.getTime() + 800);
    const lastWrite = spec.late === undefined ? written : Timestamp.fromMillis(written.toMillis() + spec.late.minutesAfter * 60_000);
    return {
      event,
      batchId: batch.id,
      batch: {
        is_complete: true, created_at: Timestamp.fromDate(batch.createdAt), updated_at: lastWrite, expected_players: expected,
        completed_players: Array.from({ length: batch.completedPlayers + (spec.late?.players ?? 0) }, (_, p) => `player_${p + 1}`),
        game_date: GAME_DATE, completion_time: written, auto_completed: true, healing_id: event.healing_id,
        auto_completion_reason: `${event.trigger_reason}; completed automatically by auto-batch-cleanup`,
      },
    };
  });
}

async function main(): Promise<void> {
  const firestore = createFirestore(config);
  const bigquery = createBigQuery(config);
  const table = new HealingEventTable(bigquery, config.dataset, config.table);
  const verdictTable = new HealVerdictTable(bigquery, config.dataset, config.verdictTable);
  say(`clearing ${config.batchCollection}, ${config.healingCollection}, ${config.dataset}.${config.table} and ${config.dataset}.${config.verdictTable}`);
  await firestore.recursiveDelete(firestore.collection(config.batchCollection));
  await firestore.recursiveDelete(firestore.collection(config.healingCollection));
  for (const suffix of ['_alert_state', '_control']) await firestore.recursiveDelete(firestore.collection(`${config.healingCollection}${suffix}`));
  for (const each of [table, verdictTable]) {
    await each.table.delete({ ignoreNotFound: true });
    await each.ensureExists();
  }

  const docs = dayOfBatches();
  const writer = firestore.bulkWriter();
  for (const [id, data] of docs) void writer.set(firestore.collection(config.batchCollection).doc(id), data);
  await writer.close();
  say(`seeded ${docs.length} batches for ${GAME_DATE}: 220 complete, 40 running, 18 stalled at 90-99%, 12 stuck below 90%, 8 from yesterday, 5 malformed`);

  const history = weekOfHealingEvents();
  const earlier = earlierHeals();
  const events = firestore.collection(config.healingCollection);
  const batchWrite = firestore.bulkWriter();
  for (const { event, verdict } of history) {
    const document = { ...toFirestoreDocument(event), bigquery_exported: true };
    void batchWrite.set(events.doc(event.healing_id), verdict === null ? document : { ...document, ...storedVerdict(verdict), [VERDICT_EXPORTED_FIELD]: true });
  }
  for (const { event, batchId, batch } of earlier) {
    void batchWrite.set(events.doc(event.healing_id), { ...toFirestoreDocument(event, undefined, { verdictDue: true }), bigquery_exported: true });
    if (batch !== null) void batchWrite.set(firestore.collection(config.batchCollection).doc(batchId), batch);
  }
  // The job has given verdicts all week: no heal is older than its marker.
  void batchWrite.set(firestore.collection(`${config.healingCollection}_control`).doc(VERDICTS_CONTROL_DOCUMENT), { [VERDICTS_SINCE_FIELD]: Timestamp.fromMillis(now - 8 * 86_400_000) });
  await batchWrite.close();
  await table.insert([...history.map(({ event }) => event), ...earlier.map(({ event }) => event)]);
  const verdicts = history.flatMap(({ verdict }) => (verdict === null ? [] : [verdict]));
  const refused = await verdictTable.insertAll(verdicts.map((row) => JSON.stringify({ insertId: verdictInsertId(row), json: toVerdictJson(row) })));
  if (refused.length > 0) throw new Error(`BigQuery refused ${refused.length} verdict rows: ${refused[0]!.reason}`);
  const count = (kind: string) => verdicts.filter((row) => row.verdict === kind).length;
  say(`seeded ${history.length} healing events from the past week into Firestore and BigQuery, with ${verdicts.length} verdicts (${count('held')} held, ${count('premature')} premature, ${count('gone')} gone)`);
  const late = EARLIER_HEALS.filter((spec) => spec.late !== undefined).length;
  const deleted = EARLIER_HEALS.filter((spec) => spec.deleted).length;
  say(`seeded ${earlier.length} heals of the last ${Math.ceil(EARLIER_HEALS[0]!.hoursAgo)} hours awaiting verdicts: ${late} batches got players after their heal, ${deleted} was deleted, the others are unchanged`);
  await firestore.terminate();
}

/** A verdict as the event document keeps it. */
function storedVerdict(row: HealVerdictRow): Record<string, unknown> {
  return {
    [VERDICT_FIELD]: {
      verdict: row.verdict, checked_at: Timestamp.fromDate(row.checked_at), healed_at: Timestamp.fromDate(row.healed_at!),
      stall_minutes: row.stall_minutes, late_players: row.late_players, progress_after_minutes: row.progress_after_minutes,
    },
  };
}

await main();
