import { Timestamp } from '@google-cloud/firestore';
import { seedBatches } from '../../test/support/batches.js';
import { OperatorStack, stderrLog, stdoutLines } from '../../test/support/operatorStack.js';
import { controlCollection, exclusionDocumentId } from '../control/controlCollection.js';

const stack = new OperatorStack();
const MINUTE = 60_000;
const stalledBatches = (ids: string[]) => ids.map((id) => ({ id, completed: 19, expected: 20, stalledMinutes: 30 }));

beforeAll(() => stack.prepare());
afterAll(() => stack.close());

describe('exclude and include', () => {
  it('a run heals 3 of 5 stalled batches when 2 are excluded, counts and logs those 2, and heals them once the exclusion has expired', async () => {
    const env = stack.env();
    const now = new Date();
    await seedBatches(stack.firestore, env.BATCH_COLLECTION!, stalledBatches(['e-1', 'e-2', 'e-3', 'e-4', 'e-5']), now);

    const exclude = await stack.command(env, 'exclude', 'e-2', 'e-4', '--reason', 'worker being debugged', '--for', '1h', '--by', 'dana');
    expect(exclude.code).toBe(0);
    expect(stdoutLines(exclude)).toEqual([
      expect.stringMatching(/^excluded e-2 until \S+Z, by dana: worker being debugged$/),
      expect.stringMatching(/^excluded e-4 until \S+Z, by dana: worker being debugged$/),
    ]);
    expect(stderrLog(exclude).map((line) => line.batch_id)).toEqual(['e-2', 'e-4']);

    const run = await stack.run(env, now, '--max-heals', '3');
    expect(run.summary).toMatchObject({ stalled: 5, excluded: 2, healed: 3, safety_brake: false, exit_code: 0 });
    expect(run.lines.filter((line) => String(line.message).startsWith('left excluded batch'))).toEqual([
      expect.objectContaining({ batch_id: 'e-2', exclusion_reason: 'worker being debugged', excluded_by: 'dana' }),
      expect.objectContaining({ batch_id: 'e-4', exclusion_reason: 'worker being debugged', excluded_by: 'dana' }),
    ]);
    expect((await stack.batch(env, 'e-2')).is_complete).toBe(false);

    const expired = await stack.run(env, new Date(now.getTime() + 61 * MINUTE));
    expect(expired.summary).toMatchObject({ stalled: 2, excluded: 0, healed: 2 });
  });

  it('include ends an exclusion so the next run heals the batch; a batch that is not excluded is refused (exit 1)', async () => {
    const env = stack.env();
    const now = new Date();
    await seedBatches(stack.firestore, env.BATCH_COLLECTION!, stalledBatches(['i-1']), now);
    expect((await stack.command(env, 'exclude', 'i-1', '--reason', 'hold on')).code).toBe(0);
    expect((await stack.run(env, now, '--dry-run')).summary).toMatchObject({ excluded: 1 });

    const include = await stack.command(env, 'include', 'i-1', 'i-never-excluded');
    expect(include.code).toBe(1);
    expect(stdoutLines(include)).toEqual([expect.stringMatching(/^included i-1, by tester \(it was excluded until \S+ by tester: hold on\)$/), 'refused i-never-excluded: not excluded']);

    expect((await stack.run(env, now)).summary).toMatchObject({ excluded: 0, healed: 1 });
  });

  it('the exclusions a run reads grow with the active ones, not with their history', async () => {
    const now = new Date();
    const plain = stack.env();
    const withHistory = stack.env();
    for (const env of [plain, withHistory]) {
      await seedBatches(stack.firestore, env.BATCH_COLLECTION!, stalledBatches(['h-1', 'h-2']), now);
      expect((await stack.command(env, 'exclude', 'h-1', '--reason', 'active one')).code).toBe(0);
    }
    const control = controlCollection(stack.firestore, withHistory.HEALING_COLLECTION!);
    const writer = stack.firestore.batch();
    for (let i = 0; i < 40; i += 1) {
      const ended = Timestamp.fromMillis(now.getTime() - (i + 1) * MINUTE);
      writer.set(control.doc(exclusionDocumentId(`old-${i}`)), { kind: 'exclusion', batch_id: `old-${i}`, reason: 'long ago', by: 'someone', at: ended, until: ended });
    }
    await writer.commit();

    const [a, b] = [await stack.run(plain, now, '--dry-run'), await stack.run(withHistory, now, '--dry-run')];
    expect(a.summary).toMatchObject({ excluded: 1, stalled: 2 });
    expect(b.summary).toMatchObject({ excluded: 1, stalled: 2 });
    expect(b.summary.firestore_reads).toBe(a.summary.firestore_reads);
  });

  it('takes any batch id, says when no such batch exists yet, and refuses a "/" in an id as a usage error', async () => {
    const env = stack.env();
    const odd = 'game 2026-11-22 · LAL@BOS #2';
    const exclude = await stack.command(env, 'exclude', odd, '--reason', 'odd id', '--format', 'json');
    expect(exclude.code).toBe(0);
    expect(JSON.parse(exclude.stdout)).toMatchObject({ command: 'exclude', results: [{ batch_id: odd, outcome: 'excluded', batch_exists: false }] });

    const slash = await stack.command(env, 'exclude', 'a/b', '--reason', 'x');
    expect(slash).toEqual({ code: 2, stdout: '', stderr: 'auto-batch-cleanup: "a/b" is not a batch id (a Firestore document id: not empty, no "/")' });
  });
});
