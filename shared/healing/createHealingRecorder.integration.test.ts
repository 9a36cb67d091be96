import { Firestore, Timestamp } from '@google-cloud/firestore';
import { createMemoryLogger } from '../logger.js';
import { readPendingEvent } from '../outbox/pendingEvent.js';
import { createHealingRecorder, type HealingRecorderOptions } from './createHealingRecorder.js';
import { healingRetry } from './healingRetry.js';

// The Firestore library lets FIRESTORE_EMULATOR_HOST in process.env win over its settings; this
// file (Jest gives it a copy of the environment) removes it so each recorder is steered only by
// the `env` it is given, as a service's would be.
const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8686';
const projectId = process.env.GOOGLE_CLOUD_PROJECT ?? 'local-healing';
delete process.env.FIRESTORE_EMULATOR_HOST;

const reader = new Firestore({ projectId, host: emulatorHost, ssl: false });
let collection: string;
let serial = 0;

beforeEach(() => {
  serial += 1;
  collection = `healing_recorder_${Date.now().toString(36)}_${serial}`;
});

afterAll(async () => {
  await reader.terminate();
});

function recorderFor(options: HealingRecorderOptions = {}) {
  const logger = createMemoryLogger();
  const recorder = createHealingRecorder({
    env: { GOOGLE_CLOUD_PROJECT: projectId, FIRESTORE_EMULATOR_HOST: emulatorHost, HEALING_COLLECTION: collection },
    logger,
    flushIntervalMs: 20,
    ...options,
  });
  return { recorder, logger };
}

const input = (i: number, extra: Record<string, unknown> = {}) => ({
  healing_type: 'retry',
  trigger_reason: `Call to feature-store failed: read ECONNRESET (${i})`,
  root_cause: 'ECONNRESET',
  action_taken: 'Retried feature-store 1 time(s) with exponential backoff; attempt 2 of 3 succeeded',
  before_state: { dependency: 'feature-store', answering: false },
  after_state: { dependency: 'feature-store', answering: true, attempts: 2 },
  success: true,
  metadata: { policy: 'healingRetry', attempts: 2, delays_ms: [120] },
  ...extra,
});

async function documents() {
  const snapshot = await reader.collection(collection).get();
  return new Map(snapshot.docs.map((doc) => [doc.id, doc.data()]));
}

describe('createHealingRecorder against the Firestore emulator', () => {
  test("writes each event as a pending document under its healing_id with the spec's fields", async () => {
    const { recorder } = recorderFor();
    const at = new Date('2026-11-30T10:15:00.000Z');
    const given = recorder.record(input(1, { healing_id: 'retry-given-id', timestamp: at }));
    const filled = recorder.record(input(2, { root_cause: undefined, success: false }));
    expect(given?.healing_id).toBe('retry-given-id');
    expect(filled?.healing_id).toMatch(/^retry-[0-9a-f-]{36}$/);
    await expect(recorder.close()).resolves.toEqual({ written: 2, unwritten: 0, dropped: 0 });

    const docs = await documents();
    expect([...docs.keys()].sort()).toEqual([filled!.healing_id, 'retry-given-id'].sort());
    const doc = docs.get('retry-given-id')!;
    expect(doc).toMatchObject({
      healing_id: 'retry-given-id',
      healing_type: 'retry',
      trigger_reason: 'Call to feature-store failed: read ECONNRESET (1)',
      root_cause: 'ECONNRESET',
      action_taken: 'Retried feature-store 1 time(s) with exponential backoff; attempt 2 of 3 succeeded',
      before_state: { dependency: 'feature-store', answering: false },
      after_state: { dependency: 'feature-store', answering: true, attempts: 2 },
      success: true,
      metadata: { policy: 'healingRetry', attempts: 2, delays_ms: [120] },
      bigquery_exported: false,
    });
    expect(doc.timestamp).toBeInstanceOf(Timestamp);
    expect((doc.timestamp as Timestamp).toDate().toISOString()).toBe(at.toISOString());
    expect(docs.get(filled!.healing_id)).toMatchObject({ root_cause: null, success: false, bigquery_exported: false });
    // The job's outbox reads both back as the events that were recorded.
    expect(readPendingEvent('retry-given-id', doc)).toEqual({ ok: true, event: given });
    expect(readPendingEvent(filled!.healing_id, docs.get(filled!.healing_id)!)).toEqual({ ok: true, event: filled });
  });

  test('record() returns at once and writes later, off the caller’s path', async () => {
    const { recorder } = recorderFor({ flushIntervalMs: 60_000 });
    const started = performance.now();
    for (let i = 0; i < 200; i += 1) recorder.record(input(i));
    expect(performance.now() - started).toBeLessThan(200);
    expect((await documents()).size).toBe(0);
    await expect(recorder.close()).resolves.toEqual({ written: 200, unwritten: 0, dropped: 0 });
    expect((await documents()).size).toBe(200);
  });

  test('writes a full batch without waiting for the flush interval', async () => {
    const { recorder } = recorderFor({ flushIntervalMs: 60_000, batchSize: 50 });
    for (let i = 0; i < 50; i += 1) recorder.record(input(i));
    const deadline = Date.now() + 5_000;
    while ((await documents()).size < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await documents()).size).toBe(50);
    await recorder.close();
  });

  test('never overwrites an event already in Firestore (an earlier attempt that landed, or one the job exported)', async () => {
    await reader.collection(collection).doc('retry-already-there').set({ healing_id: 'retry-already-there', bigquery_exported: true, marker: 'exported' });
    const { recorder } = recorderFor();
    recorder.record(input(1, { healing_id: 'retry-already-there' }));
    recorder.record(input(2, { healing_id: 'retry-new' }));
    await expect(recorder.close()).resolves.toEqual({ written: 2, unwritten: 0, dropped: 0 });
    const docs = await documents();
    expect(docs.get('retry-already-there')).toEqual({ healing_id: 'retry-already-there', bigquery_exported: true, marker: 'exported' });
    expect(docs.get('retry-new')).toMatchObject({ bigquery_exported: false });
  });

  test('beyond maxBufferedEvents drops new events, counts them and logs at ERROR', async () => {
    const { recorder, logger } = recorderFor({ maxBufferedEvents: 5, flushIntervalMs: 60_000 });
    const accepted = Array.from({ length: 8 }, (_, i) => recorder.record(input(i)));
    expect(accepted.filter((event) => event === undefined)).toHaveLength(3);
    await expect(recorder.close()).resolves.toEqual({ written: 5, unwritten: 0, dropped: 3 });
    expect((await documents()).size).toBe(5);
    const errors = logger.lines.filter((line) => line.severity === 'ERROR').map((line) => line.message);
    expect(errors[0]).toMatch(/^healing event dropped: 5 events already wait to be written/);
    expect(errors).toContain('3 healing event(s) were dropped while recording');
  });

  test('an invalid event is dropped and logged, never thrown at the caller', async () => {
    const { recorder, logger } = recorderFor();
    expect(recorder.record(input(1, { trigger_reason: '' }))).toBeUndefined();
    await expect(recorder.close()).resolves.toEqual({ written: 0, unwritten: 0, dropped: 1 });
    expect(logger.lines.some((line) => line.severity === 'ERROR' && String(line.message).includes('trigger_reason'))).toBe(true);
  });

  test('a policy records its heal through the recorder into Firestore', async () => {
    const { recorder } = recorderFor();
    let calls = 0;
    const policy = healingRetry({ recorder, name: 'feature-store', maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 });
    const value = await policy.execute(async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      return 'scores';
    });
    expect(value).toBe('scores');
    await expect(recorder.close()).resolves.toEqual({ written: 1, unwritten: 0, dropped: 0 });
    const [doc] = [...(await documents()).values()];
    expect(doc).toMatchObject({ healing_type: 'retry', success: true, root_cause: 'ECONNRESET', bigquery_exported: false, metadata: { attempts: 2 } });
  });

  test('record() after close() is dropped, and close() answers the same again', async () => {
    const { recorder } = recorderFor();
    recorder.record(input(1));
    const first = await recorder.close();
    expect(recorder.record(input(2))).toBeUndefined();
    expect(first).toEqual({ written: 1, unwritten: 0, dropped: 0 });
    await expect(recorder.close()).resolves.toEqual(first);
  });

  test('leaves a Firestore client it was given open', async () => {
    const firestore = new Firestore({ projectId, host: emulatorHost, ssl: false });
    const recorder = createHealingRecorder({ firestore, collection, logger: createMemoryLogger(), flushIntervalMs: 20 });
    recorder.record(input(1));
    await recorder.close();
    await expect(firestore.collection(collection).count().get()).resolves.toBeDefined();
    await firestore.terminate();
  });
});
