import { runJob as runJobInProcess } from '../test/support/runJob.js';
import type { DocumentData, Firestore } from '@google-cloud/firestore';
import { alertStateId } from '../shared/alerts/alertStateDocument.js';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { jobTestConfig, uniqueSuffix } from '../test/support/emulators.js';
import { ages, seedFirestoreEvents } from '../test/support/seedEvents.js';
import { SlackReceiver } from '../test/support/slackReceiver.js';

const fileSuffix = uniqueSuffix();
const receiver = new SlackReceiver();
const HOSTILE = '<!channel> <https://evil.example|runbook>';
let firestore: Firestore;
let webhookUrl: string;

function freshConfig(): JobConfig {
  const own = uniqueSuffix();
  return jobTestConfig(fileSuffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, SLACK_DEADLINE_SECONDS: '5' });
}

function runJob(config: JobConfig) {
  return runJobInProcess(config, { firestore, slack: webhookUrl });
}

/** Every string anywhere in a document replaced by `text`; other values kept. */
function overwriteStrings(value: unknown, text: string): unknown {
  if (typeof value === 'string') return text;
  if (Array.isArray(value)) return value.map((item) => overwriteStrings(item, text));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, overwriteStrings(item, text)]));
  }
  return value;
}

const posted = () => receiver.messages.map((message) => JSON.stringify(message));

beforeAll(async () => {
  webhookUrl = await receiver.start();
  const config = jobTestConfig(fileSuffix);
  firestore = createFirestore(config);
  await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
});

afterAll(async () => {
  await receiver.stop();
  await firestore.terminate();
});

beforeEach(() => {
  receiver.reset();
});

describe('alerting no writer can silence', () => {
  it('with every string of every alert-state document overwritten by a mention and a link, and a stored message that is not JSON, the next run exits 0 and the real alerts go out escaped', async () => {
    const config = freshConfig();
    await seedFirestoreEvents(firestore, config.healingCollection, 'orders_retry', new Date(), ages(3, 5, 1));
    await seedFirestoreEvents(firestore, config.healingCollection, 'fallback', new Date(), ages(10, 70, 30));
    await seedFirestoreEvents(firestore, config.healingCollection, 'cache_reset', new Date(), ages(3, 5, 1));
    receiver.status = 500;
    const undelivered = await runJob(config);
    expect(undelivered.exitCode).toBe(0);
    expect(receiver.messages).toEqual([]);

    const states = firestore.collection(`${config.healingCollection}_alert_state`);
    const written = await states.get();
    expect(written.size).toBe(3);
    for (const doc of written.docs) await doc.ref.set(overwriteStrings(doc.data(), HOSTILE) as DocumentData);
    // A document as an earlier version wrote it, at its id then, holding a message that is not JSON.
    await states.doc(alertStateId('cache_reset')).delete();
    await states.doc('cache_reset').set({ healing_type: 'cache_reset', retry: true, undelivered: { kind: 'yellow', message: `{"text": "${HOSTILE}", "blocks": [` } });

    receiver.status = 200;
    const next = await runJob(config);

    expect(next.exitCode).toBe(0);
    expect(receiver.refused).toEqual([]);
    expect(posted().filter((text) => text.includes('YELLOW: orders_retry healed'))).toHaveLength(1);
    expect(posted().filter((text) => text.includes('RED: fallback healed'))).toHaveLength(1);
    expect(posted().filter((text) => text.includes('YELLOW: cache_reset healed'))).toHaveLength(1);
    for (const text of posted()) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil.example');
    }
    expect(next.logger.lines.filter((line) => line.severity === 'WARNING' && /alert state .*(could not be read in full|is not at the id)/.test(String(line.message)))).not.toHaveLength(0);
    const after = await states.get();
    expect(JSON.stringify(after.docs.map((doc) => doc.data()))).not.toContain('evil.example');
    expect(after.docs.map((doc) => doc.get('healing_type')).sort()).toEqual(['cache_reset', 'fallback', 'orders_retry']);

    await runJob(config);
    expect(receiver.messages).toHaveLength(3);
  });

  it('alerts on types named __a__, .., . and 2,000 characters; the retry alert after them is delivered and the run exits 0', async () => {
    const config = freshConfig();
    const odd = ['__a__', '..', '.', `long_${'n'.repeat(1_995)}`];
    for (const type of [...odd, 'retry']) await seedFirestoreEvents(firestore, config.healingCollection, type, new Date(), ages(3, 5, 1));

    const run = await runJob(config);

    expect(run.exitCode).toBe(0);
    expect(run.summary.exported).toBe(15);
    expect(receiver.refused).toEqual([]);
    expect(posted().filter((text) => text.includes('YELLOW: retry healed'))).toHaveLength(1);
    expect(receiver.messages).toHaveLength(5);
    expect(run.logger.lines.filter((line) => line.severity === 'ERROR')).toEqual([]);
  });
});
