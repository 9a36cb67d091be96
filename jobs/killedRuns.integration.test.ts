import type { BigQuery } from '@google-cloud/bigquery';
import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { fileURLToPath } from 'node:url';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { seedBatches } from '../test/support/batches.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { ensureBuilt, JobProcess, runJob } from '../test/support/jobProcess.js';
import { foreignEventDocument } from '../test/support/seedEvents.js';

// The kill trial: two overlapping job processes over one pool of stalled batches and other services'
// events, BigQuery answering inserts 0.5 to 2.5 s after it took the rows, each process stopped at a
// random moment (SIGKILL, or SIGTERM and SIGKILL 10 s later), many of them between the insert
// reaching BigQuery and the run marking it; then every claim aged past expiry and one clean run.
// Rows in the table must equal events. The emulator ignores insert ids: any resend is a second row.

const TRIALS = 4;
const BATCHES = 100;
const FOREIGN = 12;
const suffix = uniqueSuffix();
/** One stand-in per process, so the kill can wait for that very process's insert to reach BigQuery. */
const standIns = [0, 1].map(() => new BigQueryStandIn({ answerDelayMs: () => 500 + Math.random() * 2_000 }));
const withoutLookup = fileURLToPath(new URL('../test/support/jobWithoutLookup.js', import.meta.url));
let firestore: Firestore;
let bigquery: BigQuery;

interface KillPlan {
  signal: 'SIGKILL' | 'SIGTERM';
  /** Counted from the process's next insert reaching BigQuery, or from its start. */
  from: 'insert' | 'start';
  delayMs: number;
}

function envFor(name: string): Record<string, string> {
  return emulatorEnv(suffix, { BATCH_COLLECTION: `batches_${name}_${suffix}`, HEALING_COLLECTION: `events_${name}_${suffix}`, MAX_HEALS_PER_RUN: '1000', EXPORT_DEADLINE_SECONDS: '30' });
}

function randomPlan(): KillPlan {
  const fromInsert = Math.random() < 0.7;
  return { signal: Math.random() < 0.5 ? 'SIGKILL' : 'SIGTERM', from: fromInsert ? 'insert' : 'start', delayMs: Math.round(fromInsert ? Math.random() * 2_800 : 300 + Math.random() * 3_000) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stopAt(job: JobProcess, standIn: BigQueryStandIn, plan: KillPlan): Promise<void> {
  if (plan.from === 'insert') await standIn.waitForInserts(standIn.inserts.length + 1, 20_000).catch(() => undefined);
  await sleep(plan.delayMs);
  if (plan.signal === 'SIGKILL') job.kill('SIGKILL');
  else if (job.kill('SIGTERM')) {
    const hard = setTimeout(() => job.kill('SIGKILL'), 10_000);
    await job.result().finally(() => clearTimeout(hard));
  }
  await job.result();
}

async function seedTrial(env: Record<string, string>, trial: number): Promise<void> {
  const ids = Array.from({ length: BATCHES }, (_, i) => `t${trial}-b${String(i).padStart(3, '0')}`);
  await seedBatches(firestore, env.BATCH_COLLECTION!, ids.map((id) => ({ id, completed: 19, expected: 20, stalledMinutes: 30 })), new Date());
  const batch = firestore.batch();
  for (let i = 0; i < FOREIGN; i += 1) batch.set(firestore.collection(env.HEALING_COLLECTION!).doc(`t${trial}-svc-${i}`), foreignEventDocument(`trial ${trial} service event ${i}`));
  await batch.commit();
}

/** Every claim still on a pending event, as if its run's claim had expired long ago. */
async function ageClaims(env: Record<string, string>): Promise<number> {
  const pending = await firestore.collection(env.HEALING_COLLECTION!).where('bigquery_exported', '==', false).get();
  const claimed = pending.docs.filter((doc) => doc.get('export_claim') !== undefined);
  const batch = firestore.batch();
  for (const doc of claimed) batch.update(doc.ref, { 'export_claim.expires_at': Timestamp.fromMillis(Date.now() - 1_000) });
  if (claimed.length > 0) await batch.commit();
  return claimed.length;
}

async function tally(env: Record<string, string>): Promise<{ events: number; rows: number; duplicates: number; missing: number; pending: number }> {
  const documents = await firestore.collection(env.HEALING_COLLECTION!).get();
  const ids = documents.docs.map((doc) => doc.id);
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, COUNT(*) AS n FROM \`${env.GOOGLE_CLOUD_PROJECT}.${env.HEALING_DATASET}.${env.HEALING_TABLE}\` WHERE healing_id IN UNNEST(@ids) GROUP BY healing_id`,
    params: { ids },
  });
  const counts = new Map((rows as Array<{ healing_id: string; n: number }>).map((row) => [row.healing_id, Number(row.n)]));
  const perEvent = ids.map((id) => counts.get(id) ?? 0);
  return {
    events: ids.length,
    rows: perEvent.reduce((sum, n) => sum + n, 0),
    duplicates: perEvent.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    missing: perEvent.filter((n) => n === 0).length,
    pending: documents.docs.filter((doc) => doc.get('bigquery_exported') === false).length,
  };
}

/** One trial: two overlapping processes stopped at random, claims aged, one clean run. */
async function trial(env: Record<string, string>, number: number, plans: [KillPlan, KillPlan], bin?: string): Promise<void> {
  await seedTrial(env, number);
  const start = (standIn: BigQueryStandIn) => JobProcess.start({ env: { ...env, BIGQUERY_EMULATOR_HOST: standIn.url }, ...(bin ? { bin } : {}) });
  const firstStopped = stopAt(await start(standIns[0]!), standIns[0]!, plans[0]);
  await sleep(Math.random() * 1_500);
  await Promise.all([firstStopped, stopAt(await start(standIns[1]!), standIns[1]!, plans[1])]);
  await Promise.all(standIns.map((standIn) => standIn.idle()));
  const aged = await ageClaims(env);
  const clean = await runJob({ env, ...(bin ? { bin } : {}) });
  process.stdout.write(`trial ${number}: ${plans.map((plan) => `${plan.signal} ${plan.delayMs} ms after ${plan.from}`).join(' / ')}; ${aged} claims aged; clean run exit ${clean.code}${clean.code === 0 ? '' : ` (${clean.stderr.trim()})`}\n`);
}

beforeAll(async () => {
  await ensureBuilt();
  for (const standIn of standIns) await standIn.start();
  const config = loadJobConfig(envFor('setup'));
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  for (const standIn of standIns) await standIn.stop();
  await firestore.terminate();
});

it(`puts every event in BigQuery exactly once over ${TRIALS} trials of two overlapping runs killed at random moments`, async () => {
  const env = envFor('kills');
  for (let number = 1; number <= TRIALS; number += 1) {
    // Each trial kills one process while BigQuery holds the answer to its insert, so the window
    // between BigQuery taking the rows and the run marking them is always hit; the other at random.
    const inFlight: KillPlan = { signal: number % 2 === 0 ? 'SIGTERM' : 'SIGKILL', from: 'insert', delayMs: Math.round(100 + Math.random() * 400) };
    await trial(env, number, number % 2 === 0 ? [randomPlan(), inFlight] : [inFlight, randomPlan()]);
  }

  const result = await tally(env);
  process.stdout.write(`kill trial with the lookup: ${result.events} events, ${result.rows} rows, ${result.duplicates} duplicates\n`);
  expect(result).toEqual({ events: TRIALS * (BATCHES + FOREIGN), rows: TRIALS * (BATCHES + FOREIGN), duplicates: 0, missing: 0, pending: 0 });
}, 240_000);

it('without the lookup the same trial puts rows in twice, so the trial above can fail', async () => {
  const env = envFor('nolookup');
  await trial(env, 1, [{ signal: 'SIGKILL', from: 'insert', delayMs: 200 }, { signal: 'SIGKILL', from: 'insert', delayMs: 200 }], withoutLookup);

  const result = await tally(env);
  process.stdout.write(`kill trial without the lookup: ${result.events} events, ${result.rows} rows, ${result.duplicates} duplicates\n`);
  expect(result.missing).toBe(0);
  expect(result.pending).toBe(0);
  expect(result.duplicates).toBeGreaterThan(0);
}, 120_000);
