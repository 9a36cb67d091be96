import { performance } from 'node:perf_hooks';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { seedBatches } from '../test/support/batches.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { type JobProcess, type JobResult, JobProcess as Job } from '../test/support/jobProcess.js';
import { SlackReceiver } from '../test/support/slackReceiver.js';
import { TcpProxy } from '../test/support/tcpProxy.js';

// Cloud Run sends SIGKILL 10 s after SIGTERM: a run that has not exited by then loses its summary and holds its claims.
const SIGKILL_AFTER_MS = 10_000;

const fileSuffix = uniqueSuffix();
const baseEnv = emulatorEnv(fileSuffix);
const standIn = new BigQueryStandIn();
const receiver = new SlackReceiver();
let webhookUrl: string;
let firestore: Firestore;
/** SIGTERM-to-exit of every run stopped in this file, for the record. */
const stopTimes: number[] = [];

function envFor(name: string, extra: Record<string, string> = {}): Record<string, string> {
  const own = uniqueSuffix();
  return { ...baseEnv, BATCH_COLLECTION: `batches_${name}_${own}`, HEALING_COLLECTION: `events_${name}_${own}`, MAX_HEALS_PER_RUN: '1000', ...extra };
}

async function seed(env: Record<string, string>, count: number): Promise<void> {
  const specs = Array.from({ length: count }, (_, i) => ({ id: `b-${String(i).padStart(4, '0')}`, completed: 19, expected: 20, stalledMinutes: 30 }));
  await seedBatches(firestore, env.BATCH_COLLECTION!, specs, new Date());
}

/** Sends SIGTERM and waits for the process to end; the time from the signal to the exit (`signalled` false: it had ended before). */
async function stopped(job: JobProcess): Promise<JobResult & { stopMs: number; signalled: boolean }> {
  const sent = performance.now();
  const signalled = job.kill('SIGTERM');
  const result = await job.result();
  const stopMs = Math.round(performance.now() - sent);
  if (signalled) stopTimes.push(stopMs);
  return { ...result, stopMs, signalled };
}

/** Resolves once `condition` holds, checked every 50 ms; rejects after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const ends = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > ends) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const summaryOf = (result: JobResult) => result.lines.filter((line) => typeof line === 'object' && line.message === 'run summary');

/** Every completed batch has its event under the id it carries: nothing half healed. */
async function healedWithEvents(env: Record<string, string>): Promise<{ healed: number; withoutEvent: string[] }> {
  const batches = await firestore.collection(env.BATCH_COLLECTION!).where('is_complete', '==', true).get();
  const events = new Set((await firestore.collection(env.HEALING_COLLECTION!).get()).docs.map((doc) => doc.id));
  return { healed: batches.size, withoutEvent: batches.docs.filter((doc) => !events.has(String(doc.get('healing_id')))).map((doc) => doc.id) };
}

beforeAll(async () => {
  await standIn.start();
  webhookUrl = await receiver.start();
  const config = loadJobConfig(baseEnv);
  firestore = createFirestore(config);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await standIn.stop();
  await receiver.stop();
  await firestore.terminate();
  console.log(`SIGTERM to exit, each run stopped: ${stopTimes.join(', ')} ms; the longest ${Math.max(...stopTimes)} ms`);
});

beforeEach(() => {
  standIn.mode = 'forward';
  standIn.insertDelayMs = 0;
  receiver.reset();
});

describe('SIGTERM ends the run before Cloud Run’s SIGKILL', () => {
  it.each([
    ['the export waits on a BigQuery that never answers', 'bigquery'],
    ['alerting waits on a Slack that never answers, after BigQuery hung to the export deadline', 'slack'],
  ] as const)('while %s: exit 1 with its one summary, stopped, within 10 s', async (_name, hanging) => {
    standIn.mode = 'hang';
    receiver.hang = true;
    const env = envFor(hanging, {
      BIGQUERY_EMULATOR_HOST: standIn.url,
      SLACK_WEBHOOK_URL: webhookUrl,
      EXPORT_DEADLINE_SECONDS: hanging === 'bigquery' ? '120' : '2',
      SLACK_DEADLINE_SECONDS: '60',
    });
    await seed(env, 12);
    const held = receiver.held.length;
    const job = await Job.start({ env, timeoutMs: 150_000 });
    if (hanging === 'bigquery') await standIn.waitForInserts(standIn.inserts.length + 1, 60_000);
    else await until(() => receiver.held.length > held, 60_000);

    const result = await stopped(job);

    expect(result.stopMs).toBeLessThan(SIGKILL_AFTER_MS);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 1, signal: null });
    const summaries = summaryOf(result);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ severity: 'ERROR', stopped: true, exit_code: 1, healed: 12, failed: 0 });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect((await healedWithEvents(env)).withoutEvent).toEqual([]);
  }, 180_000);
});

describe('SIGTERM while Firestore hangs', () => {
  it('ends the run at the hard stop with its one summary, the counts so far, within 10 s', async () => {
    const proxy = new TcpProxy(baseEnv.FIRESTORE_EMULATOR_HOST!);
    const env = envFor('frozen', { FIRESTORE_EMULATOR_HOST: await proxy.start() });
    await seed(env, 200);
    const job = await Job.start({ env, timeoutMs: 150_000 });
    await job.waitForLine((line) => String(line.message).startsWith('healed batch'), 60_000);
    // Connections stay open and pass nothing either way, new ones are accepted and never answered.
    await proxy.cut({ mode: 'blackhole', existing: 'freeze' });

    const result = await stopped(job);
    await proxy.stop();

    expect(result.stopMs).toBeLessThan(SIGKILL_AFTER_MS);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 1, signal: null });
    const summaries = summaryOf(result);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ severity: 'ERROR', stopped: true, exit_code: 1 });
    expect(Number((summaries[0] as Record<string, unknown>).healed)).toBeGreaterThan(0);
    expect(result.lines.some((line) => typeof line === 'object' && line.severity === 'WARNING' && String(line.message).startsWith('hard stop'))).toBe(true);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 180_000);
});

describe('SIGTERM during overlapping runs under contention', () => {
  it.each([
    ['while both heal', 'heals'],
    ['as the exports begin', 'export'],
    ['while the exports claim each other’s events', 'claims'],
  ] as const)('%s: ends every stopped run within 10 s with its one summary, and leaves no batch healed without its event', async (_name, moment) => {
    // BigQuery answers late; the second run starts with the first (first trial) or once the first has healed a batch (second).
    standIn.insertDelayMs = 2_000;
    const working = (line: Record<string, unknown>) => /^(healed|left|skipped) batch/.test(String(line.message));
    // A run that finds every batch already healed by the other ends by itself, with its summary.
    const workingOrDone = (line: Record<string, unknown>) => working(line) || line.message === 'run summary';
    for (let trial = 0; trial < 2; trial += 1) {
      const env = envFor(`overlap_${moment}${trial}`, { BIGQUERY_EMULATOR_HOST: standIn.url });
      await seed(env, 400);
      const inserts = standIn.inserts.length;
      const first = await Job.start({ env, timeoutMs: 150_000 });
      if (trial === 1) await first.waitForLine(working, 60_000);
      const jobs = [first, await Job.start({ env, timeoutMs: 150_000 })];
      await Promise.all(jobs.map((job) => job.waitForLine(workingOrDone, 60_000)));
      if (moment !== 'heals') await standIn.waitForInserts(inserts + 1, 60_000);
      if (moment === 'claims') await new Promise((resolve) => setTimeout(resolve, 1_500 + 500 * trial));

      const results = await Promise.all(jobs.map((job) => stopped(job)));

      // A run that had already ended by itself is not one that was stopped.
      const signalled = results.filter((result) => result.signalled);
      expect(signalled.length).toBeGreaterThan(0);
      for (const result of signalled) {
        expect(result.stopMs).toBeLessThan(SIGKILL_AFTER_MS);
        expect({ code: result.code, signal: result.signal }).toEqual({ code: 1, signal: null });
        expect(summaryOf(result)).toHaveLength(1);
        expect(summaryOf(result)[0]).toMatchObject({ stopped: true, exit_code: 1 });
      }
      for (const result of results) expect(summaryOf(result)).toHaveLength(1);
      expect((await healedWithEvents(env)).withoutEvent).toEqual([]);
    }
  }, 240_000);
});
