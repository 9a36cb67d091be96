import { seedBatches } from '../../test/support/batches.js';
import { OperatorStack, stderrLog, stdoutLines } from '../../test/support/operatorStack.js';
import { seedFirestoreEvents } from '../../test/support/seedEvents.js';

const stack = new OperatorStack();
const MINUTE = 60_000;
const stalledBatches = (count: number, prefix = 'b') => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, completed: 19, expected: 20, stalledMinutes: 30 }));
const pauseLines = (lines: Array<Record<string, unknown>>) => lines.filter((line) => String(line.message).startsWith('healing is paused'));

beforeAll(() => stack.prepare());
afterAll(() => stack.close());

describe('pause and resume', () => {
  it('a paused run heals none of 10 stalled batches, even past the safety brake, still exports 3 pending events of another service and exits 0; after resume the next run heals them', async () => {
    const env = stack.env();
    const now = new Date();
    await seedBatches(stack.firestore, env.BATCH_COLLECTION!, stalledBatches(10), now);
    await seedFirestoreEvents(stack.firestore, env.HEALING_COLLECTION!, 'retry', now, [{ minutesAgo: 5 }, { minutesAgo: 4 }, { minutesAgo: 3 }]);

    const pause = await stack.command(env, 'pause', '--reason', 'deploying the worker fix', '--for', '90m', '--by', 'ops');
    expect(pause.code).toBe(0);
    expect(stdoutLines(pause)).toEqual([expect.stringMatching(/^paused healing until \S+Z, by ops: deploying the worker fix$/)]);
    expect(stderrLog(pause)).toEqual([expect.objectContaining({ severity: 'INFO', message: expect.stringMatching(/^paused healing until /), by: 'ops', reason: 'deploying the worker fix' })]);

    const paused = await stack.run(env, now, '--max-heals', '5');
    expect(paused.code).toBe(0);
    expect(paused.summary).toMatchObject({ paused: true, pause_reason: 'deploying the worker fix', stalled: 10, healed: 0, safety_brake: false, exported: 3, exit_code: 0 });
    expect(paused.lines.filter((line) => String(line.message).startsWith('paused: would heal batch'))).toHaveLength(10);
    expect(pauseLines(paused.lines)).toEqual([expect.objectContaining({ severity: 'WARNING', pause_reason: 'deploying the worker fix', paused_by: 'ops' })]);
    expect((await stack.batch(env, 'b-0')).is_complete).toBe(false);

    const resume = await stack.command(env, 'resume', '--by', 'ops');
    expect(resume.code).toBe(0);
    expect(stdoutLines(resume)).toEqual([expect.stringMatching(/^resumed healing, by ops \(it was paused by ops since \S+ until \S+: deploying the worker fix\)$/)]);

    const resumed = await stack.run(env, now);
    expect(resumed.summary).toMatchObject({ paused: false, healed: 10, exit_code: 0 });
    expect(resumed.summary).not.toHaveProperty('pause_reason');
  });

  it('a pause whose --for has passed heals again', async () => {
    const env = stack.env();
    const now = new Date();
    await seedBatches(stack.firestore, env.BATCH_COLLECTION!, stalledBatches(3), now);
    expect((await stack.command(env, 'pause', '--reason', 'short break', '--for', '90m')).code).toBe(0);

    expect((await stack.run(env, new Date(now.getTime() + 89 * MINUTE))).summary).toMatchObject({ paused: true, healed: 0 });
    expect((await stack.run(env, new Date(now.getTime() + 91 * MINUTE))).summary).toMatchObject({ paused: false, healed: 3 });
  });

  it('is logged at WARNING once an hour across runs, at INFO in between; a pause without --for lasts until resume', async () => {
    const env = stack.env();
    const now = new Date();
    expect((await stack.command(env, 'pause', '--reason', 'incident 4711')).code).toBe(0);

    const severities = [];
    for (const minutes of [0, 10, 59, 61, 24 * 60]) {
      const run = await stack.run(env, new Date(now.getTime() + minutes * MINUTE));
      expect(run.summary).toMatchObject({ paused: true, pause_reason: 'incident 4711', exit_code: 0 });
      severities.push(pauseLines(run.lines).map((line) => line.severity));
    }
    expect(severities).toEqual([['WARNING'], ['INFO'], ['INFO'], ['WARNING'], ['WARNING']]);
  });

  it('resume when healing is not paused says so and exits 0', async () => {
    const env = stack.env();
    const resume = await stack.command(env, 'resume', '--format', 'json');
    expect(resume.code).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ command: 'resume', paused: false, by: 'tester', was: null });
  });

  it('a DURATION that does not parse is a usage error (exit 2) and pauses nothing', async () => {
    const env = stack.env();
    for (const duration of ['90', '5q', '0h', '1.5h']) {
      const pause = await stack.command(env, 'pause', '--reason', 'x', '--for', duration);
      expect(pause.code).toBe(2);
      expect(pause.stderr).toBe(`auto-batch-cleanup: option '--for <duration>' argument '${duration}' is invalid. --for must be a positive whole number followed by m, h, d or w (90m, 24h, 7d, 2w), got "${duration}"`);
    }
    expect((await stack.run(env, new Date())).summary).toMatchObject({ paused: false });
  });
});
