import { runJob as runJobInProcess } from '../test/support/runJob.js';
import type { BigQuery } from '@google-cloud/bigquery';
import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { type BatchSpec, readBatch, seedBatches } from '../test/support/batches.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { jobTestConfig, uniqueSuffix } from '../test/support/emulators.js';
import { ages, seedFirestoreEvents } from '../test/support/seedEvents.js';
import { SlackReceiver } from '../test/support/slackReceiver.js';

const fileSuffix = uniqueSuffix();
const standIn = new BigQueryStandIn();
const receiver = new SlackReceiver();
let firestore: Firestore;
let bigquery: BigQuery;
let webhookUrl: string;

function freshConfig(extra: Record<string, string> = {}): JobConfig {
  const own = uniqueSuffix();
  return jobTestConfig(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, EXPORT_DEADLINE_SECONDS: '3', SLACK_DEADLINE_SECONDS: '1', ...extra });
}

/** One run in this process, through the BigQuery stand-in unless told otherwise; each run its own Firestore client, like a separate execution. */
async function runJob(config: JobConfig, options: { slack?: string; direct?: boolean } = {}) {
  const run = await runJobInProcess(config, { ...(options.direct ? {} : { bigqueryUrl: standIn.url }), ...(options.slack === undefined ? {} : { slack: options.slack }) });
  return { ...run, summaryLines: run.logger.lines.filter((line) => line.message === 'run summary') };
}

/** How many rows the table holds for each of these ids. */
async function rowCounts(config: JobConfig, ids: string[]): Promise<Map<string, number>> {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, COUNT(*) AS n FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE healing_id IN UNNEST(@ids) GROUP BY healing_id`,
    params: { ids },
  });
  return new Map((rows as Array<{ healing_id: string; n: number }>).map((row) => [row.healing_id, Number(row.n)]));
}

async function eventIds(config: JobConfig): Promise<string[]> {
  return (await firestore.collection(config.healingCollection).get()).docs.map((doc) => doc.id);
}

const stalled = (id: string): BatchSpec => ({ id, completed: 19, expected: 20, stalledMinutes: 30 });
const now = () => new Date();

beforeAll(async () => {
  await standIn.start();
  webhookUrl = await receiver.start();
  const config = jobTestConfig(fileSuffix);
  firestore = createFirestore(config);
  bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await standIn.stop();
  await receiver.stop();
  await firestore.terminate();
});

beforeEach(() => {
  standIn.mode = 'forward';
  standIn.insertDelayMs = 0;
  receiver.reset();
});

describe('healing never waits on BigQuery', () => {
  it.each([
    ['hangs', 'hang'],
    ['answers 503', 'fail'],
  ] as const)('heals every stalled batch while BigQuery %s, ends within its export deadline, and the next run exports each event once', async (_name, mode) => {
    const config = freshConfig();
    const earlier = await seedFirestoreEvents(firestore, config.healingCollection, 'retry', now(), ages(2, 30));
    const ids = ['bq-a', 'bq-b', 'bq-c', 'bq-d'];
    await seedBatches(firestore, config.batchCollection, ids.map(stalled), now());
    standIn.mode = mode;

    const down = await runJob(config);

    expect(down.exitCode).toBe(0);
    expect(down.summary).toMatchObject({ healed: 4, failed: 0, exported: 0, pending_export: 6 });
    // The export step ends at its deadline, its claims released within a second. The run's other
    // steps never wait on BigQuery: a request left to the client's own retries would take minutes.
    expect(down.summary.step_ms.export).toBeLessThan((config.exportDeadlineSeconds + 1) * 1000);
    expect(down.seconds - down.summary.step_ms.export! / 1000).toBeLessThan(5);
    expect(down.summaryLines).toHaveLength(1);
    expect(down.logger.lines.some((line) => line.severity === 'WARNING' && /BigQuery export (reached its deadline|failed)/.test(String(line.message)))).toBe(true);
    for (const id of ids) expect((await readBatch(firestore, config.batchCollection, id)).is_complete).toBe(true);

    standIn.mode = 'forward';
    const up = await runJob(config);
    const again = await runJob(config);

    expect(up.summary).toMatchObject({ healed: 0, exported: 6, pending_export: 0 });
    expect(again.summary).toMatchObject({ exported: 0, pending_export: 0 });
    const all = [...(await eventIds(config)), ...earlier.map((event) => event.healing_id)];
    const counts = await rowCounts(config, all);
    expect(new Set(all).size).toBe(6);
    expect([...new Set(all)].map((id) => counts.get(id) ?? 0)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('exports every heal exactly once when a second run starts while the first run’s insert is still in flight', async () => {
    const config = freshConfig({ EXPORT_DEADLINE_SECONDS: '30' });
    const ids = Array.from({ length: 20 }, (_, i) => `overlap-${String(i).padStart(2, '0')}`);
    await seedBatches(firestore, config.batchCollection, ids.map(stalled), now());
    standIn.insertDelayMs = 4_000;

    const first = runJob(config);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const second = await runJob(config, { direct: true });
    const firstDone = await first;
    const third = await runJob(config, { direct: true });

    expect(firstDone.summary).toMatchObject({ healed: 20, exported: 20 });
    expect(second.summary).toMatchObject({ healed: 0, exported: 0 });
    expect(third.summary).toMatchObject({ exported: 0, pending_export: 0 });
    const counts = await rowCounts(config, await eventIds(config));
    expect(counts.size).toBe(20);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('healing never waits on Slack', () => {
  it('ends within the Slack deadline while Slack hangs, exits 0, and the next run delivers the alert', async () => {
    const config = freshConfig();
    await seedBatches(firestore, config.batchCollection, ['s-a', 's-b', 's-c'].map(stalled), now());
    receiver.hang = true;

    const hanging = await runJob(config, { slack: webhookUrl, direct: true });

    expect(hanging.exitCode).toBe(0);
    expect(hanging.summary).toMatchObject({ healed: 3, exported: 3 });
    expect(hanging.seconds).toBeLessThan(config.slackDeadlineSeconds * 3 + 3);
    expect(hanging.logger.lines.some((line) => line.severity === 'WARNING' && line.alert_level === 'yellow' && String(line.message).startsWith('Slack message not delivered'))).toBe(true);

    receiver.hang = false;
    const next = await runJob(config, { slack: webhookUrl, direct: true });

    expect(next.summary.healed).toBe(0);
    const alerts = receiver.messages.filter((message) => receiver.textOf(message).includes('YELLOW'));
    expect(alerts).toHaveLength(1);
    expect(receiver.textOf(alerts[0]!)).toContain('batch_cleanup');
  });
});

describe('alerts for every healing type', () => {
  it('raises one alert for retry events written by another service, and not again within the hour', async () => {
    const config = freshConfig();
    await seedFirestoreEvents(firestore, config.healingCollection, 'retry', now(), [...ages(3, 5, 5), ...ages(2, 20, 5, false)]);

    const first = await runJob(config, { slack: webhookUrl, direct: true });
    await seedFirestoreEvents(firestore, config.healingCollection, 'retry', now(), ages(1, 1));
    await runJob(config, { slack: webhookUrl, direct: true });

    expect(first.summary).toMatchObject({ exported: 5, healed: 0 });
    const retryAlerts = receiver.messages.filter((message) => receiver.textOf(message).includes('retry'));
    expect(retryAlerts).toHaveLength(1);
    expect(receiver.textOf(retryAlerts[0]!)).toContain('CRITICAL');
    expect(receiver.textOf(retryAlerts[0]!)).toContain("--type 'retry'");
  });

  it("delivers an alert about a 140-character type with 2,000-character reasons within Slack's limits", async () => {
    const config = freshConfig();
    const type = `svc_${'x'.repeat(136)}`;
    const seeded = await seedFirestoreEvents(firestore, config.healingCollection, type, now(), ages(6, 2, 1));
    const batch = firestore.batch();
    for (const event of seeded) batch.update(firestore.collection(config.healingCollection).doc(event.healing_id), { trigger_reason: `Traceback (most recent call last): ${'frame '.repeat(330)}` });
    await batch.commit();

    const run = await runJob(config, { slack: webhookUrl, direct: true });

    expect(run.exitCode).toBe(0);
    expect(receiver.refused).toHaveLength(0);
    const alert = receiver.messages.find((message) => receiver.textOf(message).includes('YELLOW'));
    expect(alert).toBeDefined();
    expect(receiver.textOf(alert!)).toMatch(/characters cut|shortened/);
  });
});
