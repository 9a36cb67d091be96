import { runJob as runJobInProcess } from '../test/support/runJob.js';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { createMemoryLogger } from '../shared/logger.js';
import { createHealingEvent } from '../shared/healingEvent.js';
import { toFirestoreDocument } from '../shared/outbox/eventDocument.js';
import { Outbox } from '../shared/outbox/Outbox.js';
import { pendingVerdictFields } from '../shared/outbox/verdictDocument.js';
import { jobTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../test/support/emulators.js';
import { type BatchSpec, readBatch, seedBatches } from '../test/support/batches.js';
import { SlackReceiver } from '../test/support/slackReceiver.js';
import { findCandidates } from './candidates.js';
import { healBatch } from './healBatch.js';
import { FirestoreReadMeter } from '../shared/firestoreReads.js';

const fileSuffix = uniqueSuffix();
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const receiver = new SlackReceiver();
let webhookUrl: string;
let firestore: Firestore;

/** A configuration with collections of this test's own, sharing this file's BigQuery dataset. */
function freshConfig(extra: Record<string, string> = {}): JobConfig {
  const own = uniqueSuffix();
  return jobTestConfig(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, ...extra });
}

function runJob(config: JobConfig, options: { slack?: string; client?: Firestore } = {}) {
  return runJobInProcess(config, { firestore: options.client ?? firestore, slackTimeoutMs: 5_000, now: () => now, ...(options.slack === undefined ? {} : { slack: options.slack }) });
}

async function eventsIn(config: JobConfig) {
  const snapshot = await firestore.collection(config.healingCollection).get();
  return snapshot.docs.map((doc) => doc.data());
}

async function bigQueryRows(config: JobConfig): Promise<Array<{ healing_id: string; batch_id: string }>> {
  const { createBigQuery } = await import('../shared/bigQueryClient.js');
  const [rows] = await createBigQuery(config).query({
    query: `SELECT healing_id, JSON_VALUE(metadata, '$.batch_id') AS batch_id FROM \`${config.projectId}.${config.dataset}.${config.table}\`
            WHERE JSON_VALUE(metadata, '$.batch_collection') = @collection ORDER BY batch_id`,
    params: { collection: config.batchCollection },
  });
  return rows as Array<{ healing_id: string; batch_id: string }>;
}

const stalled = (id: string, extra: Partial<BatchSpec> = {}): BatchSpec => ({ id, completed: 19, expected: 20, stalledMinutes: 30, ...extra });

beforeAll(async () => {
  webhookUrl = await receiver.start();
  firestore = createFirestore(jobTestConfig(fileSuffix));
  const config = jobTestConfig(fileSuffix);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await receiver.stop();
  await firestore.terminate();
});

beforeEach(() => {
  receiver.reset();
});

describe('auto-batch-cleanup: which batches it heals', () => {
  it('heals a batch at exactly 90% and exactly 15 minutes, and not one just below either or created just outside 24 hours', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [
      { id: 'at-both-boundaries', completed: 27, expected: 30, stalledMinutes: 15 },
      { id: 'just-below-pct', completed: 89, expected: 100, stalledMinutes: 60 },
      { id: 'just-below-stall', completed: 30, expected: 30, stalledMinutes: 14.99 },
      { id: 'created-just-outside-window', completed: 19, expected: 20, stalledMinutes: 60, ageMinutes: 24 * 60 + 1 },
      { id: 'already-complete', completed: 20, expected: 20, stalledMinutes: 60, isComplete: true },
    ], now);
    const before = await readBatch(firestore, config.batchCollection, 'already-complete');

    const { summary, exitCode } = await runJob(config);

    expect(exitCode).toBe(0);
    expect(summary.healed_ids).toEqual(['at-both-boundaries']);
    expect(await readBatch(firestore, config.batchCollection, 'at-both-boundaries')).toMatchObject({ is_complete: true, auto_completed: true });
    for (const id of ['just-below-pct', 'just-below-stall', 'created-just-outside-window']) {
      expect(await readBatch(firestore, config.batchCollection, id)).toMatchObject({ is_complete: false });
    }
    expect(await readBatch(firestore, config.batchCollection, 'already-complete')).toEqual(before);
  });

  it('writes the batch fields and one healing event that says why, what, and the state before and after', async () => {
    const config = freshConfig({ CLOUD_RUN_EXECUTION: 'auto-batch-cleanup-abc12' });
    await seedBatches(firestore, config.batchCollection, [stalled('b-77', { completed: 124, expected: 136, stalledMinutes: 17.5, gameDate: '2026-11-22' })], now);

    await runJob(config);

    const batch = await readBatch(firestore, config.batchCollection, 'b-77');
    const [event] = await eventsIn(config);
    expect(batch.healing_id).toBe(event!.healing_id);
    expect(batch.auto_completion_reason).toContain('stalled at 91.2% (124/136) for 17.5 minutes');
    expect(batch.completion_time).toBeDefined();
    expect(event).toMatchObject({
      healing_type: 'batch_cleanup',
      trigger_reason: 'Batch b-77 stalled at 91.2% (124/136) for 17.5 minutes',
      root_cause: 'stalled_batch',
      success: true,
      before_state: { completed: 124, expected: 136, completion_pct: 91.2, stall_minutes: 17.5, game_date: '2026-11-22', is_complete: false },
      after_state: { is_complete: true, auto_completed: true },
      metadata: { batch_id: 'b-77', missing_count: 12, execution: 'auto-batch-cleanup-abc12', task_index: 0, task_count: 1 },
    });
  });

  it('names a sharper root cause when the batch records failed players', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [stalled('with-failures', { override: { failed_players: ['p1'] } })], now);
    await runJob(config);
    expect((await eventsIn(config))[0]).toMatchObject({ root_cause: 'player_failures' });
  });
});

describe('auto-batch-cleanup: a heal that fails', () => {
  it('records the failure as an event with success=false and its error, leaves the batch open, and exits 1', async () => {
    const config = freshConfig();
    // Firestore refuses documents over 1 MiB: this batch fits, but not with the heal's fields added.
    await seedBatches(firestore, config.batchCollection, [stalled('too-big', { override: { debug_log: 'x'.repeat(1_048_100) } }), stalled('fine')], now);

    const { summary, exitCode } = await runJob(config);

    expect(exitCode).toBe(1);
    expect(summary).toMatchObject({ healed: 1, failed: 1 });
    expect((await readBatch(firestore, config.batchCollection, 'too-big')).is_complete).toBe(false);
    const failed = (await eventsIn(config)).filter((event) => event.success === false);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ healing_type: 'batch_cleanup', metadata: { batch_id: 'too-big' } });
    expect(String((failed[0]!.metadata as { error: string }).error)).toContain('INVALID_ARGUMENT');
  });
});

describe('auto-batch-cleanup: malformed documents', () => {
  it('skips, counts and leaves unchanged every malformed document, and exits 0', async () => {
    const config = freshConfig();
    const malformed: BatchSpec[] = [
      stalled('missing-updated-at', { override: { updated_at: undefined } }),
      stalled('string-expected', { override: { expected_players: '20' } }),
      stalled('expected-zero', { completed: 0, expected: 0 }),
      stalled('more-than-expected', { completed: 21, expected: 20 }),
      stalled('updated-in-future', { stalledMinutes: -60 }),
      stalled('completed-not-array', { override: { completed_players: 19 } }),
    ];
    await seedBatches(firestore, config.batchCollection, [...malformed, stalled('fine')], now);
    const before = await Promise.all(malformed.map((spec) => readBatch(firestore, config.batchCollection, spec.id)));

    const { summary, exitCode, logger } = await runJob(config);

    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ found: 7, stalled: 1, healed: 1, skipped_malformed: 6 });
    const after = await Promise.all(malformed.map((spec) => readBatch(firestore, config.batchCollection, spec.id)));
    expect(after).toEqual(before);
    for (const spec of malformed) {
      expect(logger.lines.some((line) => line.batch_id === spec.id && line.severity === 'WARNING' && typeof line.reason === 'string')).toBe(true);
    }
  });
});

describe('auto-batch-cleanup: safety under concurrency and repetition', () => {
  it('heals each batch once with one event when two runs go at the same time', async () => {
    const config = freshConfig();
    const ids = Array.from({ length: 12 }, (_, i) => `race-${i}`);
    await seedBatches(firestore, config.batchCollection, ids.map((id) => stalled(id)), now);
    const other = createFirestore(config);

    const [a, b] = await Promise.all([runJob(config), runJob(config, { client: other })]);
    await other.terminate();

    expect(a.summary.healed + b.summary.healed).toBe(12);
    expect(a.summary.failed + b.summary.failed).toBe(0);
    const events = await eventsIn(config);
    expect(events).toHaveLength(12);
    expect(events.every((event) => event.success === true)).toBe(true);
    expect(new Set(events.map((event) => (event.metadata as { batch_id: string }).batch_id))).toEqual(new Set(ids));
  });

  it('leaves alone a batch that progresses between the query and the transaction', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [stalled('moving')], now);
    const reads = new FirestoreReadMeter();
    const table = new HealingEventTable(createBigQuery(config), config.dataset, config.table);
    const verdictTable = new HealVerdictTable(createBigQuery(config), config.dataset, config.verdictTable);
    const outbox = new Outbox({ firestore, collection: config.healingCollection, table, verdictTable, logger: createMemoryLogger(), reads, run: 'test', claimTtlMs: 60_000 });
    const rule = { stallMinutes: 15, minCompletionPct: 90, maxAgeHours: 24 };
    const [candidate] = (await findCandidates(firestore.collection(config.batchCollection), rule, now, reads, { onMalformed: () => undefined })).stalled;

    await firestore.collection(config.batchCollection).doc('moving').update({ updated_at: new Date(now.getTime() - 1000), completed_players: Array.from({ length: 20 }, (_, i) => `p${i}`) });
    const outcome = await healBatch(firestore.collection(config.batchCollection).doc('moving'), candidate!, {
      firestore, outbox, rule, reads, now, collection: config.batchCollection, run: { execution: 'test', taskIndex: 0, taskCount: 1 },
    });

    expect(outcome.kind).toBe('changed');
    expect(await readBatch(firestore, config.batchCollection, 'moving')).toMatchObject({ is_complete: false });
    expect(await eventsIn(config)).toHaveLength(0);
  });

  it('heals nothing and records nothing on a second run right after the first', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [stalled('once-a'), stalled('once-b')], now);
    const first = await runJob(config);
    const second = await runJob(config);

    expect(first.summary.healed).toBe(2);
    expect(second.summary).toMatchObject({ healed: 0, failed: 0, stalled: 0, exported: 0 });
    expect(second.exitCode).toBe(0);
    expect(await eventsIn(config)).toHaveLength(2);
  });

  it('changes nothing and records nothing on --dry-run, but reports what it would heal', async () => {
    const config = { ...freshConfig(), dryRun: true };
    await seedBatches(firestore, config.batchCollection, [stalled('dry-a'), stalled('dry-b'), stalled('healthy', { stalledMinutes: 2 })], now);
    const before = await readBatch(firestore, config.batchCollection, 'dry-a');

    const { summary, exitCode, logger } = await runJob(config, { slack: webhookUrl });

    expect(exitCode).toBe(0);
    expect(summary.would_heal_ids.sort()).toEqual(['dry-a', 'dry-b']);
    expect(summary.healed).toBe(0);
    expect(await readBatch(firestore, config.batchCollection, 'dry-a')).toEqual(before);
    expect(await eventsIn(config)).toHaveLength(0);
    expect(receiver.messages).toHaveLength(0);
    expect(logger.lines.some((line) => line.message === 'dry run: would heal batch dry-b')).toBe(true);
  });

  it('heals none, posts a critical alert and exits 1 when more batches qualify than MAX_HEALS_PER_RUN, and still exports another service’s pending event', async () => {
    const config = freshConfig({ MAX_HEALS_PER_RUN: '3' });
    await seedBatches(firestore, config.batchCollection, ['brake-1', 'brake-2', 'brake-3', 'brake-4'].map((id) => stalled(id)), now);
    const retry = createHealingEvent({ healing_type: 'retry', trigger_reason: 'HTTP 503', action_taken: 'retried', before_state: {}, after_state: {}, success: true, metadata: { service: 'odds-api' } }, now);
    await firestore.collection(config.healingCollection).doc(retry.healing_id).create(toFirestoreDocument(retry));

    const { summary, exitCode } = await runJob(config, { slack: webhookUrl });

    expect(exitCode).toBe(1);
    expect(summary).toMatchObject({ safety_brake: true, stalled: 4, healed: 0, exported: 1, pending_export: 0 });
    expect((await eventsIn(config)).map((event) => event.healing_type)).toEqual(['retry']);
    expect((await readBatch(firestore, config.batchCollection, 'brake-1')).is_complete).toBe(false);
    expect(receiver.messages).toHaveLength(1);
    const text = receiver.textOf(receiver.messages[0]!);
    expect(text).toContain('CRITICAL');
    expect(text).toContain('4 stalled batches');
    expect(text).toContain('brake-1');
  });
});

describe('auto-batch-cleanup: the safety brake without a webhook', () => {
  it('raises one CRITICAL log alert, and a second braked run within the hour logs nothing above INFO but its ERROR summary', async () => {
    const config = freshConfig({ MAX_HEALS_PER_RUN: '2' });
    await seedBatches(firestore, config.batchCollection, ['lb-1', 'lb-2', 'lb-3'].map((id) => stalled(id)), now);
    const loud = (lines: Array<Record<string, unknown>>) => lines.filter((line) => ['WARNING', 'ERROR', 'CRITICAL'].includes(String(line.severity)));

    const first = await runJob(config);
    const second = await runJob(config);

    expect([first.exitCode, second.exitCode]).toEqual([1, 1]);
    expect(loud(first.logger.lines).map((line) => [line.severity, line.alert_level ?? line.message])).toEqual([['CRITICAL', 'safety_brake'], ['ERROR', 'run summary']]);
    expect(loud(second.logger.lines).map((line) => [line.severity, line.message])).toEqual([['ERROR', 'run summary']]);
    expect(second.logger.lines.some((line) => line.severity === 'INFO' && line.alert_level === 'safety_brake' && line.suppressed === true)).toBe(true);
  });
});

describe('auto-batch-cleanup: when services are down', () => {
  it('still heals while BigQuery is unreachable, keeps the events pending, and the next run exports them once', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [stalled('bq-a'), stalled('bq-b')], now);

    const down = await runJob({ ...config, bigqueryEmulatorHost: UNREACHABLE_URL });
    expect(down.summary).toMatchObject({ healed: 2, exported: 0, pending_export: 2 });
    expect(down.exitCode).toBe(0);
    expect((await readBatch(firestore, config.batchCollection, 'bq-a')).is_complete).toBe(true);

    const up = await runJob(config);
    const again = await runJob(config);
    expect(up.summary).toMatchObject({ healed: 0, exported: 2, pending_export: 0 });
    expect(again.summary.exported).toBe(0);
    expect((await bigQueryRows(config)).map((row) => row.batch_id)).toEqual(['bq-a', 'bq-b']);
  });

  it('sends Slack one summary naming the healed batches; with Slack down everything else is the same', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, [stalled('sum-a'), stalled('sum-b'), stalled('broken', { override: { expected_players: 'x' } })], now);
    const { exitCode } = await runJob(config, { slack: webhookUrl });

    expect(exitCode).toBe(0);
    expect(receiver.messages).toHaveLength(1);
    const summaryText = receiver.textOf(receiver.messages[0]!);
    expect(summaryText).toContain('healed 2, failed 0, skipped 1 malformed');
    expect(summaryText).toContain('sum-a');
    expect(summaryText).toContain('sum-b');

    const downConfig = freshConfig();
    await seedBatches(firestore, downConfig.batchCollection, [stalled('sum-a'), stalled('sum-b')], now);
    const down = await runJob(downConfig, { slack: `${UNREACHABLE_URL}/hook` });
    expect(down.exitCode).toBe(0);
    expect(down.summary).toMatchObject({ healed: 2, exported: 2 });
    expect(down.logger.lines.some((line) => line.severity === 'WARNING' && String(line.message).startsWith('Slack message not delivered'))).toBe(true);
  });
});

describe('auto-batch-cleanup: the export of verdicts', () => {
  it('exports pending verdicts with the events, counting them in exported and apart in verdicts_exported', async () => {
    const config = freshConfig();
    await new HealVerdictTable(createBigQuery(config), config.dataset, config.verdictTable).ensureExists();
    await seedBatches(firestore, config.batchCollection, [stalled('with-verdicts')], now);
    const earlier = createHealingEvent({ healing_type: 'batch_cleanup', trigger_reason: 'earlier heal', action_taken: 'completed', before_state: {}, after_state: {}, success: true, metadata: {} }, new Date(now.getTime() - 3 * 3_600_000));
    const document = firestore.collection(config.healingCollection).doc(earlier.healing_id);
    await document.create({ ...toFirestoreDocument(earlier), bigquery_exported: true });
    await document.update(pendingVerdictFields({ verdict: 'held', checked_at: now, healed_at: earlier.timestamp, stall_minutes: 16, late_players: null, progress_after_minutes: null }));

    const { summary, exitCode } = await runJob(config);

    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ healed: 1, exported: 2, pending_export: 0, verdicts_exported: 1, verdicts_pending_export: 0, verdicts_set_aside: 0 });
  });
});

describe('auto-batch-cleanup: several Cloud Run tasks', () => {
  it('heals every stalled batch exactly once when tasks 0 and 1 of 2 run together', async () => {
    const config = freshConfig();
    const ids = Array.from({ length: 20 }, (_, i) => `task-${i}`);
    await seedBatches(firestore, config.batchCollection, ids.map((id) => stalled(id)), now);
    const other = createFirestore(config);

    const [zero, one] = await Promise.all([
      runJob({ ...config, taskIndex: 0, taskCount: 2 }),
      runJob({ ...config, taskIndex: 1, taskCount: 2 }, { client: other }),
    ]);
    await other.terminate();

    expect(zero.summary.healed).toBeGreaterThan(0);
    expect(one.summary.healed).toBeGreaterThan(0);
    expect([...zero.summary.healed_ids, ...one.summary.healed_ids].sort()).toEqual([...ids].sort());
    expect(zero.summary.skipped_changed + one.summary.skipped_changed).toBe(0);
    expect(await eventsIn(config)).toHaveLength(20);
  });
});

