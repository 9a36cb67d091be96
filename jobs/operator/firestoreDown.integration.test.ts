import { emulatorEnv, uniqueSuffix } from '../../test/support/emulators.js';
import { runJob } from '../../test/support/jobProcess.js';
import { ANSWER_TIMEOUT_MS } from './operatorSession.js';

// A real process: the Firestore client keeps retrying an unreachable server for minutes, and the
// person at the terminal must get the line and the prompt back all the same.
describe('an operator command when Firestore does not answer', () => {
  it('pause, undo and status each exit 1 with one line naming the emulator and nothing on stdout, soon after the answer timeout', async () => {
    const env = emulatorEnv(uniqueSuffix(), { FIRESTORE_EMULATOR_HOST: '127.0.0.1:9' });
    const results = await Promise.all(
      [['pause', '--reason', 'x', '--for', '1h'], ['undo', 'batch_cleanup-0123', '--reason', 'x'], ['status', '--format', 'json']].map((args) => runJob({ env, args, timeoutMs: 60_000 })),
    );
    for (const result of results) {
      expect(result).toMatchObject({ code: 1, lines: [], timedOut: false });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^auto-batch-cleanup: the Firestore emulator at 127\.0\.0\.1:9 did not answer; check that it is running and reachable \(/);
      expect(result.durationMs).toBeLessThan(ANSWER_TIMEOUT_MS + 8_000);
    }
  }, 90_000);
});
