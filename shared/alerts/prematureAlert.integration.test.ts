import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, uniqueSuffix } from '../../test/support/emulators.js';
import { ages, seedFirestoreEvents } from '../../test/support/seedEvents.js';
import { SlackReceiver } from '../../test/support/slackReceiver.js';
import { type AlertChannel, Deadline } from './AlertChannel.js';
import { Alerter } from './Alerter.js';
import { LogChannel } from './LogChannel.js';
import { SlackChannel } from './SlackChannel.js';

const receiver = new SlackReceiver();
const t0 = new Date('2026-11-23T12:00:00Z');
let now = t0;
let firestore: Firestore;
let webhookUrl: string;
const TYPE = 'batch_cleanup';

const minutesAfter = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function alerterFor(collection: string, channel?: (logger: ReturnType<typeof createMemoryLogger>) => AlertChannel) {
  const logger = createMemoryLogger();
  const alerter = new Alerter({
    firestore, collection, logger, reads: new FirestoreReadMeter(), table: 'local-healing.healing.healing_events', stallMinutes: 15, now: () => now,
    channel: channel?.(logger) ?? new SlackChannel({ webhookUrl, logger, postTimeoutMs: 5_000 }),
  });
  return { alerter, logger };
}

/** Twenty batch heals over the last 20 hours: 10 or more in 24 hours is red. */
async function seedHeals(collection: string) {
  return seedFirestoreEvents(firestore, collection, TYPE, now, ages(20, 30, 60));
}

/** Writes the verdict `premature` straight into the first `count` heals' documents; the others stay open. */
async function givePremature(collection: string, heals: Awaited<ReturnType<typeof seedHeals>>, count: number): Promise<void> {
  const batch = firestore.batch();
  heals.slice(0, count).forEach((heal, index) => {
    batch.update(firestore.collection(collection).doc(heal.healing_id), {
      verdict: {
        verdict: 'premature',
        checked_at: Timestamp.fromMillis(now.getTime() - (index + 1) * 60_000),
        healed_at: Timestamp.fromDate(heal.timestamp),
        stall_minutes: 16 + index,
        late_players: index + 1,
        progress_after_minutes: 10,
      },
      verdict_exported: false,
    });
  });
  await batch.commit();
}

const prematurePosts = () => receiver.messages.filter((message) => String(message.text).includes('PREMATURE'));

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

describe('the premature alert', () => {
  it('fires once when 6 of 20 heals are premature, after a red alert for the type in the same hour, and not again within the hour', async () => {
    const collection = `premature_${uniqueSuffix()}`;
    const heals = await seedHeals(collection);
    await alerterFor(collection).alerter.check([TYPE], new Deadline(10_000));
    expect(receiver.messages.map((message) => message.text)).toEqual([expect.stringMatching(/^:red_circle: RED: batch_cleanup/)]);

    now = minutesAfter(10);
    await givePremature(collection, heals, 6);
    const checks = await alerterFor(collection).alerter.check([TYPE], new Deadline(10_000), { verdictTypes: [TYPE] });
    expect(checks).toEqual([expect.objectContaining({ healingType: TYPE, verdicts: { held: 0, premature: 6, latePlayers: 21 } })]);
    expect(prematurePosts()).toHaveLength(1);
    expect(receiver.messages).toHaveLength(2);
    const text = receiver.textOf(prematurePosts()[0]!);
    expect(text).toContain('6 of 6 heals premature (100.0%)');
    expect(text).toContain('21 late players');
    expect(text).toContain('Raising STALL_MINUTES from 15 to 32 would have avoided 6 of 6 premature heals');

    now = minutesAfter(55);
    await alerterFor(collection).alerter.check([TYPE], new Deadline(10_000), { verdictTypes: [TYPE] });
    expect(prematurePosts()).toHaveLength(1);

    now = minutesAfter(71);
    await alerterFor(collection).alerter.check([], new Deadline(10_000), { verdictTypes: [TYPE] });
    expect(prematurePosts()).toHaveLength(2);
  });

  it('stays quiet at 4 premature heals, fewer than the 5 verdicts it needs', async () => {
    const collection = `premature_${uniqueSuffix()}`;
    await givePremature(collection, await seedHeals(collection), 4);
    await alerterFor(collection).alerter.check([], new Deadline(10_000), { verdictTypes: [TYPE] });
    expect(receiver.messages).toEqual([]);
  });

  it('without a webhook is one WARNING line with alert_level premature and healing_type, once an hour', async () => {
    const collection = `premature_${uniqueSuffix()}`;
    await givePremature(collection, await seedHeals(collection), 6);
    const first = alerterFor(collection, (logger) => new LogChannel(logger));
    await first.alerter.check([], new Deadline(10_000), { verdictTypes: [TYPE] });
    const raised = first.logger.lines.filter((line) => line.alert_level === 'premature');
    expect(raised).toEqual([expect.objectContaining({ severity: 'WARNING', healing_type: TYPE, message: expect.stringContaining('6 of 6 heals premature') })]);

    now = minutesAfter(20);
    const second = alerterFor(collection, (logger) => new LogChannel(logger));
    await second.alerter.check([], new Deadline(10_000), { verdictTypes: [TYPE] });
    expect(second.logger.lines.filter((line) => line.alert_level === 'premature').map((line) => [line.severity, line.suppressed])).toEqual([['INFO', true]]);
  });
});
