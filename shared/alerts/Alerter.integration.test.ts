import type { Firestore } from '@google-cloud/firestore';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, uniqueSuffix } from '../../test/support/emulators.js';
import { ages, seedFirestoreEvents } from '../../test/support/seedEvents.js';
import { SlackReceiver } from '../../test/support/slackReceiver.js';
import { type AlertChannel, Deadline } from './AlertChannel.js';
import { Alerter } from './Alerter.js';
import { alertStateId } from './alertStateDocument.js';
import { SlackChannel } from './SlackChannel.js';

const receiver = new SlackReceiver();
const t0 = new Date('2026-11-23T12:00:00Z');
let now = t0;
let firestore: Firestore;
let webhookUrl: string;

function alerterFor(collection: string, channel?: AlertChannel) {
  const logger = createMemoryLogger();
  const reads = new FirestoreReadMeter();
  const alerter = new Alerter({
    firestore, collection, logger, reads, table: 'local-healing.healing.healing_events', stallMinutes: 15, now: () => now,
    channel: channel ?? new SlackChannel({ webhookUrl, logger, postTimeoutMs: 5_000 }),
  });
  return { alerter, logger, reads };
}

const minutesAfter = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

beforeAll(async () => {
  webhookUrl = await receiver.start();
  firestore = createFirestore(commonTestConfig(uniqueSuffix()));
});

afterAll(async () => {
  await receiver.stop();
  await firestore.terminate();
});

beforeEach(() => {
  now = t0;
  receiver.reset();
});

describe('the Alerter across runs', () => {
  it('300 types at yellow make at most 11 posts: ten alerts and one roll-up naming the other 290; the next run posts none of them again', async () => {
    const collection = `fanout_${uniqueSuffix()}`;
    const types = Array.from({ length: 300 }, (_, i) => `svc_${String(i).padStart(3, '0')}`);
    for (let start = 0; start < types.length; start += 50) {
      await Promise.all(types.slice(start, start + 50).map((type) => seedFirestoreEvents(firestore, collection, type, now, ages(3, 5, 1))));
    }

    const first = alerterFor(collection);
    const started = Date.now();
    await first.alerter.check(types, new Deadline(120_000));
    const seconds = (Date.now() - started) / 1000;

    expect(receiver.requests).toBeLessThanOrEqual(11);
    expect(receiver.messages).toHaveLength(11);
    expect(receiver.refused).toEqual([]);
    const rollUp = receiver.messages.find((message) => String(message.text).startsWith(':warning: 290 more alerts this run'));
    expect(rollUp).toBeDefined();
    expect(receiver.textOf(rollUp!)).toContain('svc_');
    console.log(`300 types checked and alerted in ${seconds.toFixed(1)} s with ${first.reads.reads} Firestore reads`);

    now = minutesAfter(20);
    const second = alerterFor(collection);
    await second.alerter.check(types, new Deadline(120_000));
    expect(receiver.requests).toBe(11);
    expect(second.logger.lines.filter((line) => line.suppressed === true)).toHaveLength(300);
  }, 180_000);

  it('a safety brake alert counts toward the ten: with 12 types at yellow the run posts the brake, nine alerts and one roll-up naming three', async () => {
    const collection = `brakecap_${uniqueSuffix()}`;
    const types = Array.from({ length: 12 }, (_, i) => `svc_${String(i).padStart(2, '0')}`);
    await Promise.all(types.map((type) => seedFirestoreEvents(firestore, collection, type, now, ages(3, 5, 1))));

    const { alerter } = alerterFor(collection);
    await alerter.raiseSafetyBrake('batch_cleanup', 40, 25, ['b-1'], new Deadline(30_000));
    await alerter.check(types, new Deadline(60_000));

    expect(receiver.messages).toHaveLength(11);
    expect(receiver.messages.filter((message) => receiver.textOf(message).includes('CRITICAL'))).toHaveLength(1);
    expect(receiver.messages.filter((message) => String(message.text).startsWith(':warning: 3 more alerts this run'))).toHaveLength(1);
  }, 120_000);

  it('a 429 ends posting for the run; the next run sends what waited, each once, saying when it was first raised', async () => {
    const collection = `ratelimit_${uniqueSuffix()}`;
    const types = ['alpha', 'bravo', 'charlie'];
    for (const type of types) await seedFirestoreEvents(firestore, collection, type, now, ages(3, 5, 1));
    receiver.rateLimitAfter = 1;

    const limited = alerterFor(collection);
    await limited.alerter.check(types, new Deadline(30_000));

    expect(receiver.requests).toBe(2);
    expect(receiver.messages).toHaveLength(1);
    expect(limited.logger.lines.some((line) => line.severity === 'WARNING' && /429.*posting ends for this run/.test(String(line.message)))).toBe(true);

    receiver.rateLimitAfter = null;
    now = minutesAfter(15);
    await alerterFor(collection).alerter.check(types, new Deadline(30_000));
    const texts = receiver.messages.map((message) => receiver.textOf(message));
    for (const type of types) expect(texts.filter((text) => text.includes(`YELLOW: ${type} healed`))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('First raised 2026-11-23T12:00:00.000Z'))).toHaveLength(2);

    now = minutesAfter(30);
    await alerterFor(collection).alerter.check(types, new Deadline(30_000));
    expect(receiver.messages).toHaveLength(3);
  });

  it('types the alerting deadline leaves out are checked by the next run, even without new events', async () => {
    const collection = `deadline_${uniqueSuffix()}`;
    for (const type of ['late_a', 'late_b']) await seedFirestoreEvents(firestore, collection, type, now, ages(3, 5, 1));

    const { alerter, logger } = alerterFor(collection);
    expect(await alerter.check(['late_a', 'late_b'], new Deadline(0))).toEqual([]);
    expect(receiver.requests).toBe(0);
    expect(logger.lines.some((line) => line.severity === 'WARNING' && /alerting deadline reached: 2 healing type\(s\) not checked/.test(String(line.message)))).toBe(true);

    now = minutesAfter(15);
    const next = await alerterFor(collection).alerter.check([], new Deadline(10_000));
    expect(next.map((check) => check.healingType)).toEqual(['late_a', 'late_b']);
    expect(receiver.messages.map((message) => message.text)).toEqual([expect.stringContaining('late_a'), expect.stringContaining('late_b')]);
  });

  it('a channel failing for one type never stops the others; that alert waits for the next run', async () => {
    const collection = `isolated_${uniqueSuffix()}`;
    for (const type of ['breaks', 'fine']) await seedFirestoreEvents(firestore, collection, type, now, ages(3, 5, 1));
    const taken: string[] = [];
    const channel: AlertChannel = {
      async deliver(_message, subject) {
        if ('healingType' in subject && subject.healingType === 'breaks') throw new Error('channel exploded');
        taken.push('healingType' in subject ? subject.healingType : 'roll-up');
        return true;
      },
      post: async () => true,
    };

    const { alerter, logger } = alerterFor(collection, channel);
    const checks = await alerter.check(['breaks', 'fine'], new Deadline(10_000));

    expect(checks.map((check) => check.healingType)).toEqual(['breaks', 'fine']);
    expect(taken).toEqual(['fine']);
    expect(logger.lines.some((line) => line.severity === 'ERROR' && line.healing_type === 'breaks' && /channel exploded/.test(String(line.message)))).toBe(true);
    const state = await firestore.collection(`${collection}_alert_state`).where('retry', '==', true).get();
    expect(state.docs.map((doc) => doc.get('healing_type'))).toEqual(['breaks']);
  });

  it('a waiting alert written into the state for a type with no events posts nothing and is dropped: nothing comes from the state alone', async () => {
    const collection = `forged_${uniqueSuffix()}`;
    const states = firestore.collection(`${collection}_alert_state`);
    await states.doc(alertStateId('ghost')).set({ healing_type: 'ghost', waiting: { critical: t0.toISOString(), premature: t0.toISOString() }, retry: true });

    const { alerter, logger } = alerterFor(collection);
    await alerter.check([], new Deadline(10_000));

    expect(receiver.requests).toBe(0);
    expect(logger.lines.filter((line) => /left waiting by an earlier run is dropped/.test(String(line.message))).map((line) => line.alert_level)).toEqual(['critical', 'premature']);
    expect((await states.doc(alertStateId('ghost')).get()).data()).toMatchObject({ waiting: {}, retry: false });
  });
});
