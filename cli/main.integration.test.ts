import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packageJson from '../package.json' with { type: 'json' };
import { createBigQuery } from '../shared/bigQueryClient.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { closedLoopbackPort } from '../test/support/closedLoopbackPort.js';
import { commonTestConfig, emulatorEnv, UNREACHABLE_URL, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable } from '../test/support/verdictTable.js';

// The built program, as an engineer runs it: `npm run build` first.
const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const suffix = uniqueSuffix();
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);

function runBin(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderrLines: result.stderr.split('\n').filter((line) => line !== '') };
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; run npm run build before these tests`);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('the analyze-healing program', () => {
  // BigQuery is unreachable here: a bad flag must be refused before any query is tried.
  const offline = emulatorEnv(suffix, { BIGQUERY_EMULATOR_HOST: UNREACHABLE_URL });

  it.each<[string, string[], Record<string, string>, string]>([
    ['a bad date', ['--start', 'last tuesday'], {}, '--start "last tuesday" is not a date'],
    ['start after end', ['--start', '2026-03-02', '--end', '2026-03-01'], {}, 'must be before --end'],
    ['an unknown zone', ['--tz', 'Mars/Olympus_Mons'], {}, 'is not a known IANA time zone'],
    ['--top 0', ['--top', '0'], {}, '--top must be a positive whole number'],
    ['--top abc', ['--top', 'abc'], {}, '--top must be a positive whole number'],
    ['an unwritable export path', ['--export', '/nonexistent-directory/healing.csv'], {}, '--export /nonexistent-directory/healing.csv cannot be written'],
    ['an export path that is a directory', ['--export', '/tmp'], {}, 'is a directory'],
    ['an unknown format', ['--format', 'xml'], {}, '--format must be table or json'],
    ['an unknown flag', ['--frmat', 'json'], {}, "unknown option '--frmat'"],
    ['a flag without its value', ['--tz'], {}, "option '--tz <zone>' argument missing"],
    ['a missing project', [], { GOOGLE_CLOUD_PROJECT: '' }, 'GOOGLE_CLOUD_PROJECT is not set'],
    ['a malformed emulator URL', [], { BIGQUERY_EMULATOR_HOST: 'localhost 9050' }, 'BIGQUERY_EMULATOR_HOST must be a URL'],
    ['--last 0h', ['--last', '0h'], {}, '--last must be a positive whole number followed by m, h, d or w'],
    ['--last 7days', ['--last', '7days'], {}, '--last must be a positive whole number followed by m, h, d or w'],
    ['--last 1y', ['--last', '1y'], {}, '--last must be a positive whole number followed by m, h, d or w'],
    ['--last with --start', ['--last', '7d', '--start', '2026-03-01'], {}, '--last cannot be combined with --start'],
    ['--last with --end', ['--last', '7d', '--end', '2026-03-01'], {}, '--last cannot be combined with --end'],
    ['an unwritable --html path', ['--html', '/nonexistent-directory/healing.html'], {}, '--html /nonexistent-directory/healing.html cannot be written'],
    ['--slack without SLACK_WEBHOOK_URL', ['--slack'], { SLACK_WEBHOOK_URL: '' }, '--slack needs SLACK_WEBHOOK_URL'],
    ['--slack with a malformed SLACK_WEBHOOK_URL', ['--slack'], { SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T/B/secret' }, 'SLACK_WEBHOOK_URL is not a valid URL'],
  ])('exits 2 with one line on stderr for %s', (_case, args, extra, message) => {
    const { code, stdout, stderrLines } = runBin(args, { ...offline, ...extra });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toContain(message);
  });

  it('exits 1 with one line saying to check the emulator when BigQuery is down', () => {
    const { code, stdout, stderrLines } = runBin([], offline);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderrLines).toEqual([
      `analyze-healing: cannot reach BigQuery at ${UNREACHABLE_URL} (ECONNREFUSED); check that the BigQuery emulator is running there (BIGQUERY_EMULATOR_HOST; scripts/local-stack.sh start)`,
    ]);
  });

  it('exits 1 with one line naming the refused connection, never the webhook, when Slack cannot be reached', async () => {
    const webhook = `http://127.0.0.1:${await closedLoopbackPort()}/services/T000/B000/SECRET`;
    const { code, stdout, stderrLines } = runBin(['--slack', '--format', 'json'], emulatorEnv(suffix, { SLACK_WEBHOOK_URL: webhook }));
    expect(code).toBe(1);
    expect(stderrLines).toEqual(['analyze-healing: posting the digest to Slack failed: ECONNREFUSED']);
    expect(stdout + stderrLines.join('\n')).not.toContain('SECRET');
  });

  it('adds the stack trace only with LOG_LEVEL=debug', () => {
    const { code, stderrLines } = runBin([], { ...offline, LOG_LEVEL: 'debug' });
    expect(code).toBe(1);
    expect(stderrLines.length).toBeGreaterThan(1);
    expect(stderrLines.some((line) => line.trimStart().startsWith('at '))).toBe(true);
  });

  it('exits 1 with one line naming the table and the variables to check when the table is missing', () => {
    const { code, stderrLines } = runBin([], emulatorEnv(uniqueSuffix()));
    expect(code).toBe(1);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/BigQuery table local-healing\.healing_\w+\.healing_events does not exist; check GOOGLE_CLOUD_PROJECT, HEALING_DATASET and HEALING_TABLE/);
  });

  it('prints exactly one JSON document on stdout with --format json, and nothing on stderr', () => {
    const { code, stdout, stderrLines } = runBin(['--format', 'json', '--tz', 'Europe/Berlin'], emulatorEnv(suffix));
    expect({ code, stderrLines }).toEqual({ code: 0, stderrLines: [] });
    const document = JSON.parse(stdout);
    expect(document.window.tz).toBe('Europe/Berlin');
    expect(document.window.start).toMatch(/\+0[12]:00$/);
    expect(document.totals).toEqual({ events: 0, successes: 0, failures: 0, success_rate: null });
  });

  it('prints help and the package version, exiting 0', () => {
    const help = runBin(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--export <file.csv>');
    expect(runBin(['--version'], {})).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderrLines: [] });
  });
});
