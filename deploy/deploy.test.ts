import { FakeCloud, plannedCommands, runDeploy, type DeployRun } from './test-support/deployScript.js';

const PROJECT = 'demo-proj';
const REGION = 'europe-west1';
const ARGS = [`--project=${PROJECT}`, `--region=${REGION}`, '--image-tag=v1'];
const FAKE_WEBHOOK = 'https://hooks.slack.com/services/T0FAKE/B0FAKE/webhook-value-7c1e9d';
const JOB_ACCOUNT = `serviceAccount:auto-batch-cleanup-job@${PROJECT}.iam.gserviceaccount.com`;
const SCHEDULER_ACCOUNT = `serviceAccount:auto-batch-cleanup-invoker@${PROJECT}.iam.gserviceaccount.com`;
const SECRET = 'auto-batch-cleanup-slack-webhook';

const clouds: FakeCloud[] = [];
function fakeCloud(): FakeCloud {
  const cloud = new FakeCloud();
  clouds.push(cloud);
  return cloud;
}
afterAll(() => clouds.forEach((cloud) => cloud.remove()));

/** Calls that create something, named by what they create. */
const CREATES: Array<[RegExp, string]> = [
  [/^bq .* mk --dataset .*?(\S+)$/, 'dataset $1'],
  [/^bq .* mk --table .*?(\S+)$/, 'table $1'],
  [/^gcloud firestore indexes composite create .*--collection-group=(\S+)/, 'index on $1'],
  [/^gcloud iam service-accounts create (\S+)/, 'service account $1'],
  [/^gcloud secrets create (\S+)/, 'secret $1'],
  [/^gcloud secrets versions add (\S+)/, 'secret version of $1'],
  [/^gcloud artifacts repositories create (\S+)/, 'repository $1'],
  [/^gcloud builds submit .*--tag=(\S+)/, 'image $1'],
  [/^gcloud scheduler jobs create http (\S+)/, 'scheduler job $1'],
];

function creations(calls: string[]): string[] {
  return calls.flatMap((call) => {
    for (const [pattern, name] of CREATES) {
      const match = pattern.exec(call);
      if (match) return [name.replace('$1', match[1] ?? '')];
    }
    return [];
  });
}

/** Role grants in a plan or call log, as "resource member role". */
function grants(lines: string[]): string[] {
  return lines
    .filter((line) => line.includes('add-iam-policy-binding'))
    .map((line) => {
      const resource = /add-iam-policy-binding (?:--\S+ )*([^-\s]\S*)/.exec(line)?.[1];
      const member = /--member=(\S+)/.exec(line)?.[1];
      const role = /--role=(\S+)/.exec(line)?.[1];
      return `${line.split(' ')[0] === 'bq' ? 'dataset' : line.split(' ')[1]} ${resource} ${member} ${role}`;
    })
    .sort();
}

const EXPECTED_GRANTS = [
  `dataset ${PROJECT}:nba_orchestration ${JOB_ACCOUNT} roles/bigquery.dataEditor`,
  `projects ${PROJECT} ${JOB_ACCOUNT} roles/bigquery.jobUser`,
  `projects ${PROJECT} ${JOB_ACCOUNT} roles/datastore.user`,
  `run auto-batch-cleanup ${SCHEDULER_ACCOUNT} roles/run.invoker`,
  `secrets ${SECRET} ${JOB_ACCOUNT} roles/secretmanager.secretAccessor`,
].sort();

describe('deploy.sh --dry-run', () => {
  const cloud = fakeCloud();
  let run: DeployRun;
  let plan: string[];

  beforeAll(() => {
    run = runDeploy([...ARGS, '--dry-run'], cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }));
    plan = plannedCommands(run);
  });

  test('prints the plan and runs no command', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(plan.length).toBeGreaterThan(20);
    expect(cloud.calls()).toEqual([]);
  });

  test('plans the table from the schema file, partitioned by day on timestamp and clustered by healing_type', () => {
    const mkTable = plan.filter((line) => / mk --table /.test(line));
    expect(mkTable).toHaveLength(1);
    expect(mkTable[0]).toContain('--schema=schemas/healing_events.json');
    expect(mkTable[0]).toContain('--time_partitioning_type=DAY --time_partitioning_field=timestamp');
    expect(mkTable[0]).toContain('--clustering_fields=healing_type');
    expect(mkTable[0]).toMatch(new RegExp(` ${PROJECT}:nba_orchestration\\.healing_events$`));
  });

  test('plans every composite index of deploy/firestore-indexes.txt', () => {
    expect(run.stdout).toContain('deploy/firestore-indexes.txt');
    const indexes = plan
      .filter((line) => line.startsWith('gcloud firestore indexes composite create'))
      .map((line) => [/--collection-group=(\S+)/.exec(line)?.[1], ...[...line.matchAll(/--field-config=(\S+)/g)].map((m) => m[1])].join(' '));
    expect(indexes).toEqual([
      'prediction_batches field-path=is_complete,order=ascending field-path=created_at,order=ascending',
      'healing_events field-path=healing_type,order=ascending field-path=timestamp,order=descending',
      'healing_events field-path=healing_type,order=ascending field-path=success,order=ascending field-path=timestamp,order=descending',
    ]);
  });

  test('mounts the webhook from Secret Manager and never prints its value', () => {
    const deployJob = plan.find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '));
    expect(deployJob).toContain(`--set-secrets=SLACK_WEBHOOK_URL=${SECRET}:latest`);
    expect(deployJob).not.toMatch(/--set-env-vars=\S*SLACK_WEBHOOK_URL/);
    expect(plan).toContain(`gcloud secrets versions add ${SECRET} --project=${PROJECT} --data-file=- < (the webhook from SLACK_WEBHOOK_URL)`);
    expect(run.stdout + run.stderr).not.toContain('webhook-value-7c1e9d');
  });

  test('runs the job as its own service account with the configured tasks, timeout and retries', () => {
    const deployJob = plan.find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '));
    expect(deployJob).toContain(`--service-account=${JOB_ACCOUNT.replace('serviceAccount:', '')}`);
    expect(deployJob).toContain('--tasks=1 --task-timeout=10m --max-retries=0');
    expect(deployJob).toContain(`GOOGLE_CLOUD_PROJECT=${PROJECT},BATCH_COLLECTION=prediction_batches`);
  });

  test('schedules the job every 15 minutes through the Cloud Run Admin API as the scheduler account', () => {
    const schedule = plan.find((line) => line.startsWith('gcloud scheduler jobs create http auto-batch-cleanup '));
    expect(schedule).toContain("--schedule='*/15 * * * *'");
    expect(schedule).toContain(`--uri=https://run.googleapis.com/v2/projects/${PROJECT}/locations/${REGION}/jobs/auto-batch-cleanup:run`);
    expect(schedule).toContain(`--oauth-service-account-email=${SCHEDULER_ACCOUNT.replace('serviceAccount:', '')}`);
  });

  test('creates both service accounts and grants only the roles each needs', () => {
    expect(creations(plan.map((line) => line.replace(/'/g, '')))).toEqual(
      expect.arrayContaining(['service account auto-batch-cleanup-job', 'service account auto-batch-cleanup-invoker']),
    );
    expect(grants(plan)).toEqual(EXPECTED_GRANTS);
  });
});

describe('deploy.sh against stand-in gcloud and bq', () => {
  test('the first run creates everything and a second run updates without creating anything', () => {
    const cloud = fakeCloud();
    const env = cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK });

    const first = runDeploy(ARGS, env);
    expect(first.stderr).not.toMatch(/ERROR|deploy:/);
    expect(first.status).toBe(0);
    const firstCalls = cloud.calls();
    expect(creations(firstCalls)).toEqual([
      `dataset ${PROJECT}:nba_orchestration`,
      `table ${PROJECT}:nba_orchestration.healing_events`,
      'index on prediction_batches',
      'index on healing_events',
      'index on healing_events',
      'service account auto-batch-cleanup-job',
      'service account auto-batch-cleanup-invoker',
      `secret ${SECRET}`,
      `secret version of ${SECRET}`,
      'repository auto-batch-cleanup',
      `image ${REGION}-docker.pkg.dev/${PROJECT}/auto-batch-cleanup/auto-batch-cleanup:v1`,
      'scheduler job auto-batch-cleanup',
    ]);
    expect(grants(firstCalls)).toEqual(EXPECTED_GRANTS);

    const second = runDeploy(ARGS, env);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const secondCalls = cloud.calls().slice(firstCalls.length);
    expect(creations(secondCalls)).toEqual([]);
    expect(secondCalls).toContainEqual(expect.stringMatching(/^gcloud run jobs deploy auto-batch-cleanup .*--image=\S+:v1 /));
    expect(secondCalls).toContainEqual(expect.stringMatching(/^gcloud scheduler jobs update http auto-batch-cleanup .*--schedule=\*\/15 \* \* \* \* /));
    expect(second.stdout).toContain('index exists: healing_events (healing_type,success,timestamp)');
    expect(second.stdout).toContain('image v1 exists; not rebuilding it');
  });

  test('hands the webhook to Secret Manager on stdin, never on a command line or in the output', () => {
    const cloud = fakeCloud();
    const run = runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }));
    expect(run.status).toBe(0);
    expect(cloud.read(`resources/secret-value/${SECRET}`)).toBe(FAKE_WEBHOOK);
    expect(cloud.calls().join('\n')).not.toContain('webhook-value-7c1e9d');
    expect(run.stdout + run.stderr).not.toContain('webhook-value-7c1e9d');
  });

  test('keeps the existing secret when no webhook is given, and adds a version when the webhook changes', () => {
    const cloud = fakeCloud();
    expect(runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK })).status).toBe(0);

    const before = cloud.calls().length;
    const kept = runDeploy(ARGS, cloud.env());
    expect(kept.status).toBe(0);
    expect(kept.stdout).toContain('keeping its current value');
    expect(creations(cloud.calls().slice(before))).toEqual([]);

    const changed = `${FAKE_WEBHOOK}-rotated`;
    const rotated = runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: changed }));
    expect(rotated.status).toBe(0);
    expect(cloud.read(`resources/secret-value/${SECRET}`)).toBe(changed);
  });

  test('stops when the webhook secret is missing and no webhook is given, before deploying the job', () => {
    const cloud = fakeCloud();
    const run = runDeploy(ARGS, cloud.env());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`secret ${SECRET} does not exist and no webhook was given`);
    expect(cloud.calls().some((call) => call.startsWith('gcloud run jobs deploy'))).toBe(false);
  });

  test('a failing command stops the deploy with the tool message and a non-zero exit; nothing after it runs', () => {
    const cloud = fakeCloud();
    const message = 'ERROR: (gcloud.iam.service-accounts.create) PERMISSION_DENIED: Permission iam.serviceAccounts.create denied';
    const run = runDeploy(
      ARGS,
      cloud.env({
        SLACK_WEBHOOK_URL: FAKE_WEBHOOK,
        FAKE_CLOUD_FAIL_ON: 'iam service-accounts create auto-batch-cleanup-job',
        FAKE_CLOUD_FAIL_MESSAGE: message,
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('deploy: stopped in step "accounts"');
    expect(cloud.calls().at(-1)).toMatch(/^gcloud iam service-accounts create auto-batch-cleanup-job /);
    expect(run.stdout).not.toContain('Slack webhook secret');
  });

  test('only "not found" from a describe means "create it"; any other describe failure stops the deploy', () => {
    const cloud = fakeCloud();
    const message = 'ERROR: (gcloud.secrets.describe) PERMISSION_DENIED: Permission secretmanager.secrets.get denied on resource';
    const run = runDeploy(
      ARGS,
      cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, FAKE_CLOUD_FAIL_ON: 'gcloud secrets describe', FAKE_CLOUD_FAIL_MESSAGE: message }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(cloud.calls().at(-1)).toMatch(/^gcloud secrets describe /);
    expect(cloud.calls().some((call) => call.startsWith('gcloud secrets create'))).toBe(false);
  });
});

describe('deploy.sh options', () => {
  test('--help prints the steps and options and exits 0', () => {
    const run = runDeploy(['--help'], {});
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: deploy\/deploy\.sh --project PROJECT --region REGION/);
    expect(run.stdout).toContain('--dry-run');
  });

  test('a missing region or an unknown option is a usage error (exit 2) naming it', () => {
    const noRegion = runDeploy([`--project=${PROJECT}`, '--dry-run'], {});
    expect(noRegion.status).toBe(2);
    expect(noRegion.stderr).toContain('no region');
    const unknown = runDeploy([...ARGS, '--colour=blue'], {});
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown option: --colour');
  });

  test('refuses an ambiguous DRY_RUN in the environment instead of deploying', () => {
    const cloud = fakeCloud();
    const run = runDeploy(ARGS, cloud.env({ DRY_RUN: 'true' }));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('pass --dry-run');
    expect(cloud.calls()).toEqual([]);
  });

  test('takes project and region from the environment, and job settings from their variables', () => {
    const run = runDeploy(['--dry-run', '--image-tag=v1', '--job-dry-run'], {
      GOOGLE_CLOUD_PROJECT: 'env-proj',
      REGION: 'us-east1',
      STALL_MINUTES: '20',
      SLACK_WEBHOOK_URL: FAKE_WEBHOOK,
    });
    expect(run.status).toBe(0);
    const deployJob = plannedCommands(run).find((line) => line.startsWith('gcloud run jobs deploy'));
    expect(deployJob).toContain('--project=env-proj --region=us-east1');
    expect(deployJob).toContain('STALL_MINUTES=20,');
    expect(deployJob).toContain('DRY_RUN=true,');
  });
});
