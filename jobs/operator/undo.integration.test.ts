import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { seedBatches } from '../../test/support/batches.js';
import { OperatorStack, stderrLog, stdoutLines } from '../../test/support/operatorStack.js';

const stack = new OperatorStack();
const MINUTE = 60_000;
const stalled = (id: string) => ({ id, completed: 18, expected: 20, stalledMinutes: 30 });

beforeAll(() => stack.prepare());
afterAll(() => stack.close());

/** Seeds stalled batches and heals them with a run of `execution`; returns their healing ids. */
async function healed(env: Record<string, string>, ids: string[], now = new Date()): Promise<string[]> {
  await seedBatches(stack.firestore, env.BATCH_COLLECTION!, ids.map(stalled), now);
  const run = await stack.run(env, now);
  expect(run.summary).toMatchObject({ healed: ids.length, exit_code: 0 });
  return stack.healingIds(env, ids);
}

describe('undo --execution', () => {
  it('reopens every heal of the execution with its players kept and the verdict undone; the next run may heal them again, but not an excluded one', async () => {
    const env = stack.env({ CLOUD_RUN_EXECUTION: 'auto-batch-cleanup-x7k2p' });
    const ids = ['b-1', 'b-2', 'b-3', 'b-4', 'b-5'];
    const healingIds = await healed(env, ids);
    // A worker that was slow, not dead, adds a player to b-2 after the heal.
    await stack.firestore.collection(env.BATCH_COLLECTION!).doc('b-2').update({ completed_players: FieldValue.arrayUnion('late-player'), updated_at: FieldValue.serverTimestamp() });
    const before = Date.now();

    const undo = await stack.command(env, 'undo', '--execution', 'auto-batch-cleanup-x7k2p', '--reason', 'the stall rule was too short', '--by', 'alice');

    expect(undo.code).toBe(0);
    expect(stdoutLines(undo).sort()).toEqual(
      ids.map((id, index) => `undone ${healingIds[index]}: batch ${id} is running again with ${id === 'b-2' ? 19 : 18} of 20 players; verdict undone`).sort(),
    );
    expect(stderrLog(undo).filter((line) => line.message?.toString().startsWith('undid heal'))).toHaveLength(5);
    for (const [index, id] of ids.entries()) {
      const batch = await stack.batch(env, id);
      expect(batch).toMatchObject({ is_complete: false, healing_undone: { healing_id: healingIds[index], by: 'alice', reason: 'the stall rule was too short' } });
      for (const field of ['completion_time', 'auto_completed', 'auto_completion_reason', 'healing_id']) expect(batch).not.toHaveProperty(field);
      expect((batch.completed_players as string[]).length).toBe(id === 'b-2' ? 19 : 18);
      expect((batch.updated_at as Timestamp).toMillis()).toBeGreaterThanOrEqual(before - 1_000);
      const event = await stack.event(env, healingIds[index]!);
      expect(event).toMatchObject({ verdict: { verdict: 'undone', actor: 'alice', reason: 'the stall rule was too short', late_players: id === 'b-2' ? 1 : 0 }, verdict_exported: false });
      expect((event.verdict as { checked_at: unknown }).checked_at).toBeInstanceOf(Timestamp);
    }

    const exclude = await stack.command(env, 'exclude', 'b-3', '--reason', 'its worker is being debugged');
    expect(exclude.code).toBe(0);
    // The stall clock restarted at the undo: the batches are stalled again STALL_MINUTES later.
    const next = await stack.run(env, new Date(Date.now() + 16 * MINUTE));
    expect(next.summary).toMatchObject({ stalled: 5, healed: 4, excluded: 1, exit_code: 0 });
    expect(await stack.batch(env, 'b-3')).toMatchObject({ is_complete: false });
    const rehealed = await stack.healingIds(env, ['b-1', 'b-2', 'b-4', 'b-5']);
    expect(rehealed.filter((id) => healingIds.includes(id))).toEqual([]);
  });
});

describe('undo HEALING_ID...', () => {
  it('refuses a heal whose batch was healed again since, one whose batch completed on its own and an unknown id, naming each, and undoes the rest (exit 1)', async () => {
    const env = stack.env();
    const now = new Date();
    const [again, own, fine] = await healed(env, ['again', 'own', 'fine'], now);
    const batches = stack.firestore.collection(env.BATCH_COLLECTION!);
    // The pipeline reopened "again" with more progress, and it stalled and was healed once more.
    await batches.doc('again').update({ is_complete: false, completed_players: FieldValue.arrayUnion('p-late'), updated_at: FieldValue.serverTimestamp() });
    const second = await stack.run(env, new Date(Date.now() + 16 * MINUTE));
    expect(second.summary).toMatchObject({ healed: 1 });
    const [healedAgain] = await stack.healingIds(env, ['again']);
    // The last player of "own" arrived: it is complete on its own now.
    await batches.doc('own').update({ completed_players: FieldValue.arrayUnion('p-18', 'p-19'), updated_at: FieldValue.serverTimestamp() });
    // The second run gave the first heal of "again" its verdict: the pipeline wrote progress after it.
    const againBefore = await stack.event(env, again!);
    expect(againBefore).toMatchObject({ verdict: { verdict: 'premature', late_players: 1 } });

    const undo = await stack.command(env, 'undo', again!, own!, 'heal-that-never-was', fine!, '--reason', 'checking refusals');

    expect(undo.code).toBe(1);
    expect(stdoutLines(undo)).toEqual([
      `refused ${again}: batch again was healed again since: it now carries healing_id ${healedAgain}`,
      `refused ${own}: batch own completed on its own (20 of 20 players)`,
      `refused heal-that-never-was: no healing event with this id in ${env.HEALING_COLLECTION}`,
      `undone ${fine}: batch fine is running again with 18 of 20 players; verdict undone`,
    ]);
    expect(await stack.batch(env, 'again')).toMatchObject({ is_complete: true, healing_id: healedAgain });
    expect(await stack.batch(env, 'own')).toMatchObject({ is_complete: true, healing_id: own });
    expect(await stack.event(env, again!)).toEqual(againBefore);
    expect(stderrLog(undo).filter((line) => line.severity === 'WARNING').map((line) => line.healing_id)).toEqual([again, own, 'heal-that-never-was']);
  });

  it('run twice at once over the same heal: one undoes, the other refuses, and both documents say the same actor', async () => {
    const env = stack.env();
    const [healingId] = await healed(env, ['contended']);

    const [alice, bob] = await Promise.all([
      stack.command(env, 'undo', healingId!, '--reason', 'race', '--by', 'alice'),
      stack.command(env, 'undo', healingId!, '--reason', 'race', '--by', 'bob'),
    ]);

    expect([alice.code, bob.code].sort()).toEqual([0, 1]);
    const [winner, loser] = alice.code === 0 ? [alice, bob] : [bob, alice];
    const actor = winner === alice ? 'alice' : 'bob';
    expect(stdoutLines(winner)).toEqual([`undone ${healingId}: batch contended is running again with 18 of 20 players; verdict undone`]);
    expect(stdoutLines(loser)).toEqual([expect.stringMatching(new RegExp(`^refused ${healingId}: already undone by ${actor} at \\S+: race$`))]);
    expect(await stack.batch(env, 'contended')).toMatchObject({ is_complete: false, healing_undone: { by: actor } });
    expect(await stack.event(env, healingId!)).toMatchObject({ verdict: { verdict: 'undone', actor } });
  });

  it('--dry-run prints each field it would change, before and after, and writes nothing', async () => {
    const env = stack.env();
    const [healingId] = await healed(env, ['looked-at']);
    const batchRef = stack.firestore.collection(env.BATCH_COLLECTION!).doc('looked-at');
    const eventRef = stack.firestore.collection(env.HEALING_COLLECTION!).doc(healingId!);
    const [batchBefore, eventBefore] = await Promise.all([batchRef.get(), eventRef.get()]);

    const dry = await stack.command(env, 'undo', healingId!, '--reason', 'just looking', '--by', 'carol', '--dry-run');

    expect(dry.code).toBe(0);
    const lines = stdoutLines(dry);
    const completion = (batchBefore.get('completion_time') as Timestamp).toDate().toISOString();
    expect(lines).toEqual([
      `would undo ${healingId} (batch looked-at in ${env.BATCH_COLLECTION}):`,
      '  batch.is_complete: true -> false',
      `  batch.completion_time: "${completion}" -> (removed)`,
      '  batch.auto_completed: true -> (removed)',
      expect.stringMatching(/^ {2}batch\.auto_completion_reason: "Batch looked-at stalled at 90\.0% .*" -> \(removed\)$/),
      `  batch.healing_id: "${healingId}" -> (removed)`,
      `  batch.updated_at: "${completion}" -> (server time of the undo)`,
      `  batch.healing_undone: (absent) -> {"healing_id":"${healingId}","at":"(server time of the undo)","by":"carol","reason":"just looking"}`,
      expect.stringMatching(/^ {2}event\.verdict: \(absent\) -> \{"verdict":"undone","checked_at":"\(server time of the undo\)","healed_at":"[^"]+","stall_minutes":30,"late_players":0,"progress_after_minutes":null,"actor":"carol","reason":"just looking"\}$/),
      '  event.verdict_exported: (absent) -> false',
      '  event.verdict_due: true -> (removed)',
      '  batch.completed_players: 18 of 20 players, kept',
    ]);
    const [batchAfter, eventAfter] = await Promise.all([batchRef.get(), eventRef.get()]);
    expect(batchAfter.updateTime!.isEqual(batchBefore.updateTime!)).toBe(true);
    expect(eventAfter.updateTime!.isEqual(eventBefore.updateTime!)).toBe(true);
  });

  it('with --format json prints one JSON document naming each outcome', async () => {
    const env = stack.env();
    const [healingId] = await healed(env, ['as-json']);

    const undo = await stack.command(env, 'undo', healingId!, 'missing-heal', '--reason', 'json please', '--format', 'json');

    expect(undo.code).toBe(1);
    const document = JSON.parse(undo.stdout);
    expect(undo.stdout.trim().split('\n')).toHaveLength(1);
    expect(document).toMatchObject({
      command: 'undo', dry_run: false, by: 'tester', reason: 'json please', undone: 1, refused: 1, failed: 0,
      results: [
        { healing_id: healingId, outcome: 'undone', batch_id: 'as-json', completed_players: 18, expected_players: 20 },
        { healing_id: 'missing-heal', outcome: 'refused', reason: `no healing event with this id in ${env.HEALING_COLLECTION}` },
      ],
    });
  });
});

describe('undo: bad input', () => {
  it('without --reason is a usage error (exit 2) and writes nothing', async () => {
    const env = stack.env();
    const [healingId] = await healed(env, ['kept']);
    const undo = await stack.command(env, 'undo', healingId!);
    expect(undo).toEqual({ code: 2, stdout: '', stderr: "auto-batch-cleanup: required option '--reason <text>' not specified" });
    expect(await stack.batch(env, 'kept')).toMatchObject({ is_complete: true, healing_id: healingId });
  });

  it('--execution matching nothing exits 1 and says so', async () => {
    const env = stack.env();
    const undo = await stack.command(env, 'undo', '--execution', 'no-such-execution', '--reason', 'typo');
    expect(undo.code).toBe(1);
    expect(undo.stdout).toBe('');
    expect(undo.stderr).toBe(`auto-batch-cleanup: execution "no-such-execution" has no successful batch_cleanup heal in ${env.HEALING_COLLECTION}; nothing to undo`);
  });

  it('--execution with more heals than --max is refused with exit 2 before anything is written', async () => {
    const env = stack.env({ CLOUD_RUN_EXECUTION: 'big-execution' });
    const healingIds = await healed(env, ['m-1', 'm-2', 'm-3']);
    const undo = await stack.command(env, 'undo', '--execution', 'big-execution', '--max', '2', '--reason', 'too many');
    expect(undo.code).toBe(2);
    expect(undo.stderr).toBe('auto-batch-cleanup: execution "big-execution" has 3 successful heals, more than --max 2; nothing was undone (give --max 3 to undo them all)');
    expect(await stack.healingIds(env, ['m-1', 'm-2', 'm-3'])).toEqual(healingIds);
  });
});
