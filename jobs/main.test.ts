import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';

const bin = fileURLToPath(new URL('../dist/jobs/main.js', import.meta.url));

function runBin(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 110_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

describe('the auto-batch-cleanup program', () => {
  it.each([
    [['--max-heals', 'abc'], {}, '--max-heals'],
    [['--max-heals', '0'], {}, '--max-heals'],
    [['--bogus'], {}, '--bogus'],
    [[], { STALL_MINUTES: 'soon' }, 'STALL_MINUTES'],
    [[], { SLACK_WEBHOOK_URL: 'hooks.slack.com' }, 'SLACK_WEBHOOK_URL'],
    [[], { GOOGLE_CLOUD_PROJECT: '' }, 'GOOGLE_CLOUD_PROJECT'],
  ])('exits 2 with one line naming the problem for %j %j', (args, extra, name) => {
    const { code, stderr } = runBin(args, { ...emulatorEnv(uniqueSuffix()), ...extra });
    expect(code).toBe(2);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain(name);
  });

  it('prints help and its version, exiting 0', () => {
    expect(runBin(['--help'], {})).toMatchObject({ code: 0 });
    expect(runBin(['--help'], {}).stdout).toContain('--max-heals');
    expect(runBin(['--version'], {}).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs end to end with nothing to heal, exits 0 and logs one JSON summary line with the counts', () => {
    const { code, stdout } = runBin([], emulatorEnv(uniqueSuffix()));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.find((line) => line.message === 'run summary');
    expect(summary).toMatchObject({ severity: 'INFO', found: 0, stalled: 0, healed: 0, failed: 0, skipped_malformed: 0, skipped_changed: 0, pending_export: 0 });
    for (const key of ['exported', 'firestore_reads', 'duration_ms']) expect(typeof summary![key]).toBe('number');
  });

  it('exits 1 with one line naming Firestore when Firestore does not answer', () => {
    const { code, stderr } = runBin([], emulatorEnv(uniqueSuffix(), { FIRESTORE_EMULATOR_HOST: '127.0.0.1:9' }));
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain('the Firestore emulator at 127.0.0.1:9 did not answer');
  }, 120_000);
});
