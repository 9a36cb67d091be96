import { Timestamp } from '@google-cloud/firestore';
import { OperatorStack, stdoutLines } from '../../test/support/operatorStack.js';

const stack = new OperatorStack();
const HOUR = 3_600_000;

beforeAll(() => stack.prepare());
afterAll(() => stack.close());

/** Heal events already given a verdict, `hoursAgo` before now. */
async function seedVerdicts(env: Record<string, string>, verdicts: Array<[string, number]>): Promise<void> {
  const writer = stack.firestore.batch();
  verdicts.forEach(([verdict, hoursAgo], index) => {
    const checked = Timestamp.fromMillis(Date.now() - hoursAgo * HOUR);
    writer.set(stack.firestore.collection(env.HEALING_COLLECTION!).doc(`heal-${index}`), {
      healing_type: 'batch_cleanup', success: true, timestamp: Timestamp.fromMillis(checked.toMillis() - HOUR), verdict: { verdict, checked_at: checked }, verdict_exported: false,
    });
  });
  await writer.commit();
}

describe('status', () => {
  it('--format json shows the pause, the active exclusions and the verdict counts of the last 24 hours', async () => {
    const env = stack.env();
    await seedVerdicts(env, [['held', 1], ['held', 2], ['premature', 3], ['undone', 0.5], ['held', 25], ['gone', 30]]);
    expect((await stack.command(env, 'pause', '--reason', 'league outage', '--for', '6h', '--by', 'erin')).code).toBe(0);
    expect((await stack.command(env, 'exclude', 's-2', 's-1', '--reason', 'manual fix', '--by', 'erin')).code).toBe(0);
    expect((await stack.command(env, 'exclude', 's-old', '--reason', 'ends at once', '--for', '1m')).code).toBe(0);

    const later = new Date(Date.now() + 2 * 60_000);
    const result = await stack.commandAt(later, env, 'status', '--format', 'json');

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({
      command: 'status',
      paused: true,
      pause: { reason: 'league outage', by: 'erin', until: expect.stringMatching(/Z$/) },
      exclusions: [
        { batch_id: 's-1', reason: 'manual fix', by: 'erin' },
        { batch_id: 's-2', reason: 'manual fix', by: 'erin' },
      ],
      verdicts_last_24h: { held: 2, premature: 1, gone: 0, undone: 1 },
    });
    expect(document.exclusions).toHaveLength(2);
  });

  it('as a table says healing is on when nothing is paused or excluded', async () => {
    const env = stack.env();
    const status = await stack.command(env, 'status');
    expect(status.code).toBe(0);
    expect(stdoutLines(status)).toEqual(['healing: on', 'excluded batches: 0', 'verdicts in the last 24 hours: held 0, premature 0, gone 0, undone 0']);
  });
});
