import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import pMap from 'p-map';
import { FakeCloud, plannedCommands, repoRoot, runDeploy } from './test-support/deployScript.js';

// Every command deploy.sh prints is run by Google's own CLI, so a flag gcloud or bq does not know, a
// bad choice or a missing flag file fails here and not in front of an operator. The CLI checks its
// arguments before it needs an account: with an empty configuration a right gcloud command stops at
// "no active account", and bq (which asks for credentials first) gets a stand-in token and an API
// address on loopback where nothing listens, so a right bq command stops at "cannot contact server".
// The commands come from the dry-run plans and from two runs against the stand-in CLI (the second
// one prints the update commands a dry run never shows). The CLI checks flag names, choices and the
// syntax of values; commands that differ only in the names of resources, free text or file paths
// (files are checked to exist, separately) have one shape, and one command of each shape runs.

const PROJECT = 'demo-proj';
const REGION = 'europe-west1';
const ARGS = [`--project=${PROJECT}`, `--region=${REGION}`, '--image-tag=v1'];
const WEBHOOK = 'https://hooks.slack.com/services/T0FAKE/B0FAKE/cli-check';
const CHANNELS = `123,projects/${PROJECT}/notificationChannels/456`;
const CONCURRENCY = 4;
/** Words that name a resource of this deploy, a file or an account, rather than a command. */
const RESOURCE = new RegExp(
  `^(${PROJECT}|auto-batch-cleanup(-job|-invoker|-slack-webhook)?|healing-digest(-daily|-weekly)?|auto_batch_cleanup_\\w+|latest|.*[@:./].*)$`,
);
const COMMAND_TIMEOUT = 60_000;

const ACCEPTED: Record<string, RegExp> = {
  gcloud: /You do not currently have an active account selected/,
  bq: /Cannot contact server|Could not connect with\s+BigQuery server|Connection ?refused/i,
};

const definitionFiles = (folder: string) =>
  readdirSync(join(repoRoot, folder))
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${folder}/${name}`);
const METRIC_FILES = definitionFiles('deploy/monitoring/metrics');
const POLICY_FILES = definitionFiles('deploy/monitoring/policies');

const home = mkdtempSync(join(tmpdir(), 'deploy-cli-'));
const clouds: FakeCloud[] = [];
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  clouds.forEach((cloud) => cloud.remove());
});

/** A loopback port nobody listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no loopback port');
  return address.port;
}

function cliEnvironment(tool: string, port: number): Record<string, string> {
  const config = join(home, `config-${tool}`);
  mkdirSync(config, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
  };
  if (tool === 'bq') {
    writeFileSync(join(home, 'token'), 'stand-in-access-token\n');
    writeFileSync(join(home, 'bigqueryrc'), `--api=http://127.0.0.1:${port}\n`);
    env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE = join(home, 'token');
    env.BIGQUERYRC = join(home, 'bigqueryrc');
  }
  return env;
}

/** The words of a printed command, split the way the shell an operator pastes it into splits them. */
function words(line: string): string[] {
  const result = spawnSync('bash', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bash cannot read the printed command: ${line}\n${result.stderr}`);
  return result.stdout.split('\0').slice(0, -1);
}

/** The command's path (resource names as *) and its flag names: commands of one shape are checked once. */
function shape(args: string[]): string {
  const path = args.filter((arg) => !arg.startsWith('-')).map((arg) => (RESOURCE.test(arg) ? '*' : arg));
  const flags = args.filter((arg) => arg.startsWith('-')).map((arg) => arg.replace(/=[\s\S]*$/, ''));
  return [...path, ...flags.sort()].join(' ');
}

/** Files a command reads: --*file*=PATH, --schema=PATH and --config=PATH values, and positional *.json arguments. */
function filesRead(args: string[]): string[] {
  return args.flatMap((arg) => {
    const flag = /^--(?:[\w-]*file[\w-]*|schema|config)=(.+)$/.exec(arg);
    if (flag) return flag[1] === '-' ? [] : [flag[1]!];
    return !arg.startsWith('-') && arg.endsWith('.json') ? [arg] : [];
  });
}

interface Verdict {
  line: string;
  status: number | null;
  output: string;
}

function runCli(line: string, env: Record<string, string>): Promise<Verdict> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ line, status, output: status === null ? `timed out after ${COMMAND_TIMEOUT} ms\n${output}` : output });
    });
  });
}

/** The first line of the CLI's answer that says what is wrong. */
const firstError = (output: string) => output.split('\n').find((text) => /ERROR|FATAL|error/i.test(text)) ?? output.split('\n')[0];

describe('every command deploy.sh prints is accepted by the real Google Cloud CLI', () => {
  let port: number;
  let commands: string[];
  let shapes: Map<string, string>;

  beforeAll(async () => {
    for (const tool of ['gcloud', 'bq']) {
      const found = spawnSync(tool, ['version'], { env: cliEnvironment(tool, 1), encoding: 'utf8', timeout: COMMAND_TIMEOUT });
      if (found.error || found.status !== 0) {
        throw new Error(
          `${tool} is needed for this test and did not run (${found.error?.message ?? found.stderr.trim()}): install the Google Cloud CLI with its alpha, beta and bq components`,
        );
      }
    }
    port = await closedPort();

    const plans = [
      runDeploy([...ARGS, '--dry-run', `--notification-channels=${CHANNELS}`, '--digest-tz=Europe/Paris'], { SLACK_WEBHOOK_URL: WEBHOOK }),
      runDeploy([...ARGS, '--dry-run', '--no-slack', '--job-dry-run'], {}),
    ];
    const cloud = new FakeCloud();
    clouds.push(cloud);
    const env = cloud.env({ SLACK_WEBHOOK_URL: WEBHOOK });
    // Roles an earlier deploy granted on the whole dataset, so the run prints the commands that remove them.
    writeFileSync(
      join(cloud.state, 'bigquery-bindings'),
      `${PROJECT}:nba_orchestration serviceAccount:auto-batch-cleanup-job@${PROJECT}.iam.gserviceaccount.com roles/bigquery.dataEditor\n`,
    );
    plans.push(runDeploy([...ARGS, `--notification-channels=${CHANNELS}`], env));
    // The stand-in's table loses a column, so the second run also prints the update that adds it.
    const schema: Array<{ name: string }> = JSON.parse(readFileSync(join(repoRoot, 'schemas/healing_events.json'), 'utf8'));
    writeFileSync(
      join(cloud.state, 'resources/bigquery', `${PROJECT}:nba_orchestration.healing_events`),
      JSON.stringify({ schema: { fields: schema.slice(0, -1) }, timePartitioning: { type: 'DAY', field: 'timestamp' } }),
    );
    plans.push(runDeploy(ARGS, env));
    for (const plan of plans) {
      if (plan.status !== 0) throw new Error(`deploy.sh failed while making the plans:\n${plan.stderr}`);
    }

    // The dashboard update reads a copy with the etag, made in the run's own temporary folder and
    // removed when the run ends: check it against an equal copy that still exists.
    const dashboardCopy = join(home, 'dashboard.json');
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/dashboard.json'), 'utf8'));
    writeFileSync(dashboardCopy, JSON.stringify({ ...dashboard, etag: 'etag-1' }));
    commands = [
      ...new Set(
        plans
          .flatMap(plannedCommands)
          .map((line) => line.replace(/ < \(the webhook from [^)]*\)$/, ''))
          .map((line) => line.replace(/--config-from-file=\S*\/dashboard\.json$/, `--config-from-file=${dashboardCopy}`)),
      ),
    ];
    shapes = new Map();
    for (const line of commands) {
      const key = shape(words(line));
      if (!shapes.has(key)) shapes.set(key, line);
    }
  }, 120_000);

  test('the plans cover every kind of command, create and update alike', () => {
    const kinds = new Set([...shapes.keys()].map((key) => key.split(' ').filter((word) => /^[a-z][\w-]*$/.test(word)).join(' ')));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'bq add-iam-policy-binding',
        'bq get-iam-policy',
        'bq remove-iam-policy-binding',
        'bq mk',
        'bq show',
        'bq update',
        'gcloud artifacts repositories add-iam-policy-binding',
        'gcloud builds submit',
        'gcloud storage buckets add-iam-policy-binding',
        'gcloud storage buckets create',
        'gcloud storage buckets describe',
        'gcloud alpha monitoring policies create',
        'gcloud alpha monitoring policies update',
        'gcloud logging metrics create',
        'gcloud logging metrics update',
        'gcloud monitoring dashboards create',
        'gcloud monitoring dashboards update',
        'gcloud monitoring dashboards list',
        'gcloud run jobs deploy',
        'gcloud run jobs execute',
        'gcloud scheduler jobs create http',
        'gcloud scheduler jobs update http',
        'gcloud secrets versions add',
        'gcloud secrets versions access',
      ]),
    );
    expect(commands).toContainEqual(expect.stringMatching(/^gcloud run jobs execute auto-batch-cleanup .*--args=--check --tasks=1 --wait$/));
  });

  test('every file a command reads exists when the command runs', () => {
    const missing = commands.flatMap((line) =>
      filesRead(words(line))
        .filter((file) => !existsSync(isAbsolute(file) ? file : join(repoRoot, file)))
        .map((file) => `${file} (in: ${line})`),
    );
    expect(missing).toEqual([]);
  });

  test(
    'gcloud (alpha and beta included) and bq accept every command, stopping only for want of credentials',
    async () => {
      const started = Date.now();
      const verdicts = await pMap(
        [...shapes.values()],
        (line) => {
          const tool = line.split(' ')[0]!;
          return runCli(line, cliEnvironment(tool, port));
        },
        { concurrency: CONCURRENCY },
      );
      const refused = verdicts
        .filter(({ line, output }) => !ACCEPTED[line.split(' ')[0]!]?.test(output))
        .map(({ line, status, output }) => `${line}\n    => exit ${status}: ${firstError(output)}`);
      expect(refused).toEqual([]);
      // How long the real CLI takes here, for whoever tunes CONCURRENCY.
      process.stdout.write(
        `${shapes.size} shapes of ${commands.length} distinct commands checked with the real CLI in ${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    },
    // About fifty shapes, a second or two of Python each, on a machine others share.
    480_000,
  );

  test('each definition in deploy/monitoring, each index of deploy/firestore.indexes.json, the build config and the bucket lifecycle read into the API message gcloud sends, with no unknown field or value', () => {
    const info = spawnSync('gcloud', ['info', '--format=value(basic.python_location,installation.sdk_root)'], {
      env: cliEnvironment('gcloud', port),
      encoding: 'utf8',
    });
    const [python, sdkRoot] = info.stdout.trim().split('\t');
    expect(python && sdkRoot).toBeTruthy();
    const checker = join(repoRoot, 'deploy/test-support/check_definition.py');
    const check = (kind: string, file: string) =>
      spawnSync(python!, [checker, sdkRoot!, kind, file], { cwd: repoRoot, encoding: 'utf8', timeout: COMMAND_TIMEOUT });
    const definitions = [
      ...METRIC_FILES.map((file) => ['metric', file]),
      ...POLICY_FILES.map((file) => ['policy', file]),
      ['dashboard', 'deploy/monitoring/dashboard.json'],
      ['indexes', 'deploy/firestore.indexes.json'],
      ['build', 'deploy/cloudbuild.yaml'],
      ['lifecycle', 'deploy/build-bucket-lifecycle.json'],
    ];
    const verdicts = definitions.map(([kind, file]) => {
      const result = check(kind!, file!);
      return `${file}: ${(result.stdout + result.stderr).trim()}`;
    });
    expect(verdicts).toEqual(definitions.map(([, file]) => `${file}: ok`));

    // The checker can fail: a misspelt field and an unknown enum value are named.
    const wrong = join(home, 'wrong-policy.json');
    writeFileSync(wrong, JSON.stringify({ displayName: 'x', combiner: 'EITHER', conditions: [{ conditionAbsnt: {} }] }));
    const refused = check('policy', wrong);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('AlertPolicy.combiner');
    expect(refused.stdout).toContain('AlertPolicy.conditions[0].conditionAbsnt');
  }, 120_000);

  test('a command the CLI does not accept is caught, naming the argument (the check above can fail)', async () => {
    const deployJob = commands.find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '))!;
    const showTable = commands.find((line) => line.startsWith('bq ') && line.includes(' show '))!;
    const metric = commands.find((line) => line.startsWith('gcloud logging metrics create'))!;
    const wrong = [
      `${deployJob} --no-such-flag=1`,
      showTable.replace(' show ', ' show --no_such_flag '),
      metric.replace(/--config-from-file=\S+/, '--config-from-file=deploy/monitoring/metrics/missing.json'),
    ];
    const verdicts = await pMap(wrong, (line) => runCli(line, cliEnvironment(line.split(' ')[0]!, port)), { concurrency: CONCURRENCY });
    expect(verdicts.map(({ line, output }) => ACCEPTED[line.split(' ')[0]!]!.test(output))).toEqual([false, false, false]);
    expect(verdicts[0]!.output).toContain('--no-such-flag');
    expect(verdicts[1]!.output).toContain('no_such_flag');
    expect(verdicts[2]!.output).toContain('missing.json');
  }, 120_000);
});
