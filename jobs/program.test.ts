import packageJson from '../package.json' with { type: 'json' };
import { runProgram } from '../test/support/jobProgram.js';

// Settings that point at nothing: every case here ends before any service is asked.
const env = { GOOGLE_CLOUD_PROJECT: 'p', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9' };

describe('the auto-batch-cleanup program', () => {
  it.each([
    [['--max-heals', 'abc'], {}, `auto-batch-cleanup: option '--max-heals <n>' argument 'abc' is invalid. --max-heals must be a positive whole number, got "abc"`],
    [['--max-heals', '0'], {}, `auto-batch-cleanup: option '--max-heals <n>' argument '0' is invalid. --max-heals must be a positive whole number, got "0"`],
    [['--bogus'], {}, `auto-batch-cleanup: unknown option '--bogus'`],
    [['ecko'], {}, 'auto-batch-cleanup: unknown command "ecko"; the commands are undo, pause, resume, exclude, include, status'],
    [['undo', 'h-1'], {}, "auto-batch-cleanup: required option '--reason <text>' not specified"],
    [['undo', '--reason', 'x'], {}, 'auto-batch-cleanup: undo needs the healing ids to undo, or --execution EXECUTION'],
    [['undo', 'h-1', '--execution', 'e-1', '--reason', 'x'], {}, 'auto-batch-cleanup: undo takes healing ids or --execution, not both'],
    [['undo', 'h-1', '--max', '3', '--reason', 'x'], {}, 'auto-batch-cleanup: --max goes with --execution'],
    [['pause', '--reason', ' '], {}, "auto-batch-cleanup: option '--reason <text>' argument ' ' is invalid. --reason must say why, in a few words"],
    [['exclude', 'b-1', '--reason', 'x', '--for', '24'], {}, `auto-batch-cleanup: option '--for <duration>' argument '24' is invalid. --for must be a positive whole number followed by m, h, d or w (90m, 24h, 7d, 2w), got "24"`],
    [['include', ...Array.from({ length: 501 }, (_, i) => `b-${i}`)], {}, 'auto-batch-cleanup: include takes at most 500 batch ids at once, got 501'],
    [['status', '--format', 'yaml'], {}, `auto-batch-cleanup: option '--format <format>' argument 'yaml' is invalid. Allowed choices are table, json.`],
    [[], { STALL_MINUTES: 'soon' }, 'auto-batch-cleanup: STALL_MINUTES must be a number above 0, got "soon"'],
    [[], { SLACK_WEBHOOK_URL: 'hooks.slack.com' }, 'auto-batch-cleanup: SLACK_WEBHOOK_URL is not a valid URL'],
    [[], { SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/T0/B0/plain-http-secret' }, 'auto-batch-cleanup: SLACK_WEBHOOK_URL must be an https:// URL (http:// only to a loopback address: 127.0.0.1, ::1 or localhost)'],
    [[], { GOOGLE_CLOUD_PROJECT: '' }, 'auto-batch-cleanup: GOOGLE_CLOUD_PROJECT is not set; it names the Google Cloud project to use'],
  ])('exits 2 with one line naming the problem for %j %j', async (args, extra, line) => {
    expect(await runProgram(args, { ...env, ...extra })).toEqual({ code: 2, stdout: '', stderr: line });
  });

  it('prints help and its version on stdout, exiting 0', async () => {
    const help = await runProgram(['--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: auto-batch-cleanup \[options\] \[command\]\n/);
    for (const flag of ['--dry-run', '--max-heals <n>', '--check ', '--check-config', '--version']) expect(help.stdout).toContain(flag);
    for (const command of ['undo [options] [healing_ids...]', 'pause [options]', 'resume [options]', 'exclude [options] <batch_ids...>', 'include [options] <batch_ids...>', 'status [options]']) {
      expect(help.stdout).toContain(`\n  ${command} `);
    }
    expect(await runProgram(['--version'], {})).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it.each([
    ['STALL_MINUTES', '0'],
    ['MIN_COMPLETION_PCT', '150'],
    ['MAX_AGE_HOURS', '0'],
    ['EXPORT_DEADLINE_SECONDS', 'soon'],
  ])('--check-config refuses %s=%s with exit 2 and the one line a run would print', async (name, value) => {
    const bad = { ...env, [name]: value };
    const check = await runProgram(['--check-config'], bad);
    expect(check).toMatchObject({ code: 2, stdout: '' });
    expect(check.stderr.split('\n')).toHaveLength(1);
    expect(check.stderr).toContain(name);
    expect(check.stderr).toBe((await runProgram([], bad)).stderr);
  });

  it('--check-config accepts good settings with "configuration ok" and exit 0, asking no service', async () => {
    expect(await runProgram(['--check-config', '--max-heals', '3'], { ...env, STALL_MINUTES: '20' })).toEqual({ code: 0, stdout: 'configuration ok\n', stderr: '' });
  });
});
