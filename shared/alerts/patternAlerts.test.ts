import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../../test/support/emulators.js';
import { SlackReceiver } from '../../test/support/slackReceiver.js';
import { ages, seedFirestoreEvents } from '../../test/support/seedEvents.js';
import { createTracker, type TrackerSetup } from '../tracker/createTracker.js';

const config = commonTestConfig(uniqueSuffix());
const receiver = new SlackReceiver();
let now = new Date('2026-11-23T12:00:00Z');
const clock = () => now;
const logger = createMemoryLogger();
let setup: TrackerSetup;

const seed = (type: string, specs: Parameters<typeof seedFirestoreEvents>[4]) =>
  seedFirestoreEvents(setup.firestore, config.healingCollection, type, now, specs);

beforeAll(async () => {
  const url = await receiver.start();
  setup = createTracker(config, { logger, slackWebhookUrl: url, now: clock, slackRetries: 0 });
});

afterAll(async () => {
  await receiver.stop();
  await setup.firestore.terminate();
});

beforeEach(() => {
  receiver.messages.length = 0;
  receiver.status = 200;
});

describe('pattern detection over the events in Firestore', () => {
  it('counts 2 events in the last hour as quiet and 3 as yellow', async () => {
    await seed('hourly', ages(2, 5, 10));
    expect((await setup.tracker.checkPatterns('hourly')).level).toBeNull();
    await seed('hourly', [{ minutesAgo: 40 }]);
    const check = await setup.tracker.checkPatterns('hourly');
    expect(check.counts.lastHour).toBe(3);
    expect(check.level).toBe('yellow');
  });

  it('counts 9 events in the last day as quiet and 10 as red, ignoring one older than 24 hours', async () => {
    await seed('daily', [...ages(9, 120, 60), { minutesAgo: 24 * 60 + 5 }]);
    const quiet = await setup.tracker.checkPatterns('daily');
    expect(quiet.counts).toEqual({ lastHour: 0, lastDay: 9, failuresLastDay: 0 });
    expect(quiet.level).toBeNull();
    await seed('daily', [{ minutesAgo: 90 }]);
    expect((await setup.tracker.checkPatterns('daily')).level).toBe('red');
  });

  it('is not critical at a 20% failure rate and is critical just over it with 5 or more events', async () => {
    await seed('failing', [...ages(4, 120, 60), { minutesAgo: 500, success: false }]);
    const atTwenty = await setup.tracker.checkPatterns('failing');
    expect(atTwenty.counts).toEqual({ lastHour: 0, lastDay: 5, failuresLastDay: 1 });
    expect(atTwenty.level).toBeNull();
    await seed('failing', [...ages(2, 600, 60), { minutesAgo: 800, success: false }]);
    const overTwenty = await setup.tracker.checkPatterns('failing');
    expect(overTwenty.counts).toEqual({ lastHour: 0, lastDay: 8, failuresLastDay: 2 });
    expect(overTwenty.level).toBe('critical');
  });

  it('never calls fewer than 5 events critical, even when every one failed', async () => {
    await seed('few', ages(4, 120, 60, false));
    const check = await setup.tracker.checkPatterns('few');
    expect(check.counts.failuresLastDay).toBe(4);
    expect(check.level).toBeNull();
  });
});

describe('alerting to Slack', () => {
  it('posts one yellow alert for two checks within the hour, and yellow again after the hour', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('dedup', ages(3, 5));
    expect((await setup.tracker.checkPatterns('dedup')).alerted).toBe(true);
    now = new Date('2026-11-23T12:30:00Z');
    expect((await setup.tracker.checkPatterns('dedup')).alerted).toBe(false);
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.textOf(receiver.messages[0]!)).toContain('YELLOW');
    expect(receiver.textOf(receiver.messages[0]!)).toContain('dedup');

    now = new Date('2026-11-23T13:05:00Z');
    await seed('dedup', ages(3, 1));
    const later = await setup.tracker.checkPatterns('dedup');
    expect(later.level).toBe('yellow');
    expect(later.alerted).toBe(true);
    expect(receiver.messages).toHaveLength(2);
  });

  it('posts an escalation from yellow to red at once, with counts, recent reasons and the command to investigate', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('escalating', ages(3, 5));
    await setup.tracker.checkPatterns('escalating');
    now = new Date('2026-11-23T12:10:00Z');
    await seed('escalating', ages(7, 120, 30));
    const check = await setup.tracker.checkPatterns('escalating');

    expect(check.level).toBe('red');
    expect(receiver.messages).toHaveLength(2);
    const red = receiver.textOf(receiver.messages[1]!);
    expect(red).toContain('RED');
    expect(red).toContain('Seeded event');
    expect(red).toContain('analyze-healing --type');
    expect(red).toContain(`${config.dataset}.${config.table}`);
  });

  it('does not throw when Slack answers 500; it logs a warning and tries again on the next check', async () => {
    now = new Date('2026-11-23T12:00:00Z');
    await seed('slack500', ages(3, 5));
    receiver.status = 500;
    const check = await setup.tracker.checkPatterns('slack500');
    expect(check).toMatchObject({ level: 'yellow', alerted: false });
    expect(logger.lines.some((line) => line.severity === 'WARNING' && String(line.message).startsWith('Slack message not delivered'))).toBe(true);

    receiver.status = 200;
    expect((await setup.tracker.checkPatterns('slack500')).alerted).toBe(true);
  });

  it('does not throw when nothing listens at the webhook; it logs a warning', async () => {
    const down = createTracker(config, { logger, slackWebhookUrl: `${UNREACHABLE_URL}/hook`, now: clock, firestore: setup.firestore, slackRetries: 0 });
    await seed('slackdown', ages(3, 5));
    const before = logger.lines.length;
    await expect(down.tracker.checkPatterns('slackdown')).resolves.toMatchObject({ level: 'yellow', alerted: false });
    expect(logger.lines.slice(before).some((line) => line.severity === 'WARNING' && String(line.message).startsWith('Slack message not delivered'))).toBe(true);
  });
});
