import type { Firestore } from '@google-cloud/firestore';
import { createFirestore } from '../firestoreClient.js';
import { FirestoreReadMeter } from '../firestoreReads.js';
import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../../test/support/emulators.js';
import { SlackReceiver } from '../../test/support/slackReceiver.js';
import { ages, seedFirestoreEvents } from '../../test/support/seedEvents.js';
import { type AlertChannel, Deadline } from './AlertChannel.js';
import { Alerter } from './Alerter.js';
import { LogChannel } from './LogChannel.js';
import { SlackChannel } from './SlackChannel.js';

const config = commonTestConfig(uniqueSuffix());
const receiver = new SlackReceiver();
let now = new Date('2026-11-23T12:00:00Z');
const clock = () => now;
const logger = createMemoryLogger();
let firestore: Firestore;
let slack: Alerter;
let webhookUrl: string;

function alerter(channel: AlertChannel, collection = config.healingCollection): Alerter {
  return new Alerter({ firestore, collection, channel, logger, reads: new FirestoreReadMeter(), table: `${config.projectId}.${config.dataset}.${config.table}`, now: clock, stallMinutes: 15 });
}

/** Checks one type the way a run does and says what it found and whether Slack got a new message. */
async function check(type: string, through: Alerter = slack) {
  const before = receiver.messages.length;
  // A type an earlier check left for later is checked again too; take this type's result.
  const result = (await through.check([type], new Deadline(10_000))).find((check) => check.healingType === type);
  const sent = receiver.messages.length > before;
  return { counts: result!.counts!, level: levelOf(type), alerted: sent };
}

/** The level the last pattern line logged for the type. */
function levelOf(type: string): string | null {
  const line = [...logger.lines].reverse().find((entry) => entry.healing_type === type && 'pattern_level' in entry);
  return (line?.pattern_level as string | null | undefined) ?? null;
}

const seed = (type: string, specs: Parameters<typeof seedFirestoreEvents>[4]) => seedFirestoreEvents(firestore, config.healingCollection, type, now, specs);

beforeAll(async () => {
  webhookUrl = await receiver.start();
  firestore = createFirestore(config);
  slack = alerter(new SlackChannel({ webhookUrl, logger, postTimeoutMs: 5_000 }));
});

afterAll(async () => {
  await receiver.stop();
  await firestore.terminate();
});

beforeEach(() => {
  receiver.reset();
});

describe('pattern detection over the events in Firestore', () => {
  it('counts 2 events in the last hour as quiet and 3 as yellow', async () => {
    await seed('hourly', ages(2, 5, 10));
    expect((await check('hourly')).level).toBeNull();
    await seed('hourly', [{ minutesAgo: 40 }]);
    const result = await check('hourly');
    expect(result.counts.lastHour).toBe(3);
    expect(result.level).toBe('yellow');
  });

  it('counts 9 events in the last day as quiet and 10 as red, ignoring one older than 24 hours', async () => {
    await seed('daily', [...ages(9, 120, 60), { minutesAgo: 24 * 60 + 5 }]);
    const quiet = await check('daily');
    expect(quiet.counts).toEqual({ lastHour: 0, lastDay: 9, failuresLastDay: 0 });
    expect(quiet.level).toBeNull();
    await seed('daily', [{ minutesAgo: 90 }]);
    expect((await check('daily')).level).toBe('red');
  });

  it('is not critical at a 20% failure rate and is critical just over it with 5 or more events', async () => {
    await seed('failing', [...ages(4, 120, 60), { minutesAgo: 500, success: false }]);
    const atTwenty = await check('failing');
    expect(atTwenty.counts).toEqual({ lastHour: 0, lastDay: 5, failuresLastDay: 1 });
    expect(atTwenty.level).toBeNull();
    await seed('failing', [...ages(2, 600, 60), { minutesAgo: 800, success: false }]);
    const overTwenty = await check('failing');
    expect(overTwenty.counts).toEqual({ lastHour: 0, lastDay: 8, failuresLastDay: 2 });
    expect(overTwenty.level).toBe('critical');
  });

  it('counts a type name too long to query (2,000 characters) apart from another with the same first 1,400 bytes', async () => {
    const start = `long_${'é'.repeat(800)}`;
    const [one, other] = [`${start}${'1'.repeat(1_195)}`, `${start}${'2'.repeat(1_195)}`];
    await seed(one, ages(3, 5));
    await seed(other, [...ages(2, 5), { minutesAgo: 90, success: false }]);
    expect((await check(one)).counts).toEqual({ lastHour: 3, lastDay: 3, failuresLastDay: 0 });
    expect((await check(other)).counts).toEqual({ lastHour: 2, lastDay: 3, failuresLastDay: 1 });
  });

  it('never calls fewer than 5 events critical, even when every one failed', async () => {
    await seed('few', ages(4, 120, 60, false));
    const result = await check('few');
    expect(result.counts.failuresLastDay).toBe(4);
    expect(result.level).toBeNull();
  });
});

describe('alerting to Slack', () => {
  it('posts one yellow alert for two checks within the hour, and yellow again after the hour', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('dedup', ages(3, 5));
    expect((await check('dedup')).alerted).toBe(true);
    now = new Date('2026-11-23T12:30:00Z');
    expect((await check('dedup')).alerted).toBe(false);
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.textOf(receiver.messages[0]!)).toContain('YELLOW');
    expect(receiver.textOf(receiver.messages[0]!)).toContain('dedup');

    now = new Date('2026-11-23T13:05:00Z');
    await seed('dedup', ages(3, 1));
    const later = await check('dedup');
    expect(later.level).toBe('yellow');
    expect(later.alerted).toBe(true);
    expect(receiver.messages).toHaveLength(2);
  });

  it('posts an escalation from yellow to red at once, with counts, recent reasons and the command to investigate', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('escalating', ages(3, 5));
    await check('escalating');
    now = new Date('2026-11-23T12:10:00Z');
    await seed('escalating', ages(7, 120, 30));
    const escalated = await check('escalating');

    expect(escalated.level).toBe('red');
    expect(receiver.messages).toHaveLength(2);
    const red = receiver.textOf(receiver.messages[1]!);
    expect(red).toContain('RED');
    expect(red).toContain('Seeded event');
    expect(red).toContain('analyze-healing --type');
    expect(red).toContain(`${config.dataset}.${config.table}`);
  });

  it('does not throw when Slack answers 500; it logs a warning and the next run sends the alert again without new events', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('slack500', ages(3, 5));
    receiver.status = 500;
    expect(await check('slack500')).toMatchObject({ level: 'yellow', alerted: false });
    expect(logger.lines.some((line) => line.severity === 'WARNING' && line.healing_type === 'slack500' && String(line.message).startsWith('Slack message not delivered'))).toBe(true);

    receiver.status = 200;
    await slack.check([], new Deadline(10_000));
    expect(receiver.messages.map((message) => receiver.textOf(message)).filter((text) => text.includes('slack500'))).toHaveLength(1);
    await slack.check([], new Deadline(10_000));
    expect(receiver.messages).toHaveLength(1);
  });

  it('logs a delivered alert at INFO with its level and type', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('delivered', ages(3, 5));
    await check('delivered');
    const line = logger.lines.find((entry) => entry.healing_type === 'delivered' && String(entry.message).startsWith('Slack message delivered'));
    expect(line).toMatchObject({ severity: 'INFO', alert_level: 'yellow', healing_type: 'delivered' });
  });

  it('does not throw when nothing listens at the webhook; it logs a warning', async () => {
    const down = alerter(new SlackChannel({ webhookUrl: `${UNREACHABLE_URL}/hook`, logger, postTimeoutMs: 5_000 }));
    await seed('slackdown', ages(3, 5));
    const before = logger.lines.length;
    await down.check(['slackdown'], new Deadline(10_000));
    expect(levelOf('slackdown')).toBe('yellow');
    const warning = logger.lines.slice(before).find((line) => line.severity === 'WARNING' && String(line.message).startsWith('Slack message not delivered'));
    expect(warning).toMatchObject({ alert_level: 'yellow', healing_type: 'slackdown' });
    expect(JSON.stringify(logger.lines)).not.toContain('/hook');
  });
});

describe('alerting to the log when no webhook is set', () => {
  const raised = (type: string, from: number) =>
    logger.lines.slice(from).filter((line) => line.healing_type === type && 'alert_level' in line && ['WARNING', 'CRITICAL', 'ERROR'].includes(String(line.severity)));

  it('raises red once at WARNING; three concurrent runs after it raise nothing above INFO; critical still goes out at once', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    const type = 'logonly';
    await seed(type, ages(10, 70, 10));
    const start = logger.lines.length;
    await alerter(new LogChannel(logger)).check([type], new Deadline(10_000));
    expect(raised(type, start)).toEqual([expect.objectContaining({ severity: 'WARNING', alert_level: 'red', healing_type: type })]);

    const afterFirst = logger.lines.length;
    now = new Date('2026-11-23T12:20:00Z');
    await Promise.all([1, 2, 3].map(() => alerter(new LogChannel(logger)).check([type], new Deadline(10_000))));
    expect(raised(type, afterFirst)).toEqual([]);
    expect(logger.lines.slice(afterFirst).some((line) => line.healing_type === type && line.severity === 'INFO' && line.suppressed === true)).toBe(true);

    await seed(type, ages(5, 3, 1, false));
    const beforeCritical = logger.lines.length;
    await alerter(new LogChannel(logger)).check([type], new Deadline(10_000));
    expect(raised(type, beforeCritical)).toEqual([expect.objectContaining({ severity: 'CRITICAL', alert_level: 'critical', healing_type: type })]);
  });
});
