import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud, copyCheckout, plannedCommands, repoRoot, runDeploy, type DeployRun } from './test-support/deployScript.js';

const PROJECT = 'demo-proj';
const REGION = 'europe-west1';
const ARGS = [`--project=${PROJECT}`, `--region=${REGION}`, '--image-tag=v1'];
const FAKE_WEBHOOK = 'https://hooks.slack.com/services/T0FAKE/B0FAKE/webhook-value-7c1e9d';
const JOB_ACCOUNT = `serviceAccount:auto-batch-cleanup-job@${PROJECT}.iam.gserviceaccount.com`;
const SCHEDULER_ACCOUNT = `serviceAccount:auto-batch-cleanup-invoker@${PROJECT}.iam.gserviceaccount.com`;
const SECRET = 'auto-batch-cleanup-slack-webhook';
const DIGEST_ACCOUNT = `serviceAccount:healing-digest@${PROJECT}.iam.gserviceaccount.com`;
const BUILD_ACCOUNT = `serviceAccount:auto-batch-cleanup-build@${PROJECT}.iam.gserviceaccount.com`;
const BUILD_BUCKET = `gs://${PROJECT}-auto-batch-cleanup-build`;
const IMAGE = `${REGION}-docker.pkg.dev/${PROJECT}/auto-batch-cleanup/auto-batch-cleanup:v1`;
const METRICS = [
  'auto_batch_cleanup_failed',
  'auto_batch_cleanup_healed',
  'auto_batch_cleanup_pending_export',
  'auto_batch_cleanup_premature',
  'auto_batch_cleanup_runs',
  'auto_batch_cleanup_safety_brake',
  'auto_batch_cleanup_set_aside',
];
interface IndexFile {
  indexes: Array<{ collectionGroup: string; queryScope: string; fields: Array<{ fieldPath: string; order: string }> }>;
  fieldOverrides: unknown[];
}
const INDEX_FILE: IndexFile = JSON.parse(readFileSync(join(repoRoot, 'deploy/firestore.indexes.json'), 'utf8'));
const POLICIES = [
  'deploy/monitoring/policies/failed-or-braked.json',
  'deploy/monitoring/policies/not-running.json',
  'deploy/monitoring/policies/pending-export-growing.json',
];

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
  [/^bq .* mk .*--view=.* (\S+)$/, 'view $1'],
  [/^gcloud firestore indexes composite create .*--collection-group=(\S+)/, 'index on $1'],
  [/^gcloud iam service-accounts create (\S+)/, 'service account $1'],
  [/^gcloud secrets create (\S+)/, 'secret $1'],
  [/^gcloud secrets versions add (\S+)/, 'secret version of $1'],
  [/^gcloud storage buckets create (\S+)/, 'bucket $1'],
  [/^gcloud artifacts repositories create (\S+)/, 'repository $1'],
  [/^gcloud builds submit .*--substitutions=_IMAGE=(\S+)/, 'image $1'],
  [/^gcloud scheduler jobs create http (\S+)/, 'scheduler job $1'],
  [/^gcloud logging metrics create (\S+)/, 'log metric $1'],
  [/^gcloud alpha monitoring policies create .*--policy-from-file=(\S+)/, 'alert policy $1'],
  [/^gcloud monitoring dashboards create .*--config-from-file=(\S+)/, 'dashboard $1'],
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
      return `${line.split(' ')[0] === 'bq' ? 'bigquery' : line.split(' ')[1]} ${resource} ${member} ${role}`;
    })
    .sort();
}

const EVENTS_TABLE = `${PROJECT}:nba_orchestration.healing_events`;
const VERDICTS_TABLE = `${PROJECT}:nba_orchestration.heal_verdicts`;
const EXPECTED_GRANTS = [
  `bigquery ${EVENTS_TABLE} ${JOB_ACCOUNT} roles/bigquery.dataEditor`,
  `bigquery ${VERDICTS_TABLE} ${JOB_ACCOUNT} roles/bigquery.dataEditor`,
  `projects ${PROJECT} ${JOB_ACCOUNT} roles/bigquery.jobUser`,
  `projects ${PROJECT} ${JOB_ACCOUNT} roles/datastore.user`,
  `run auto-batch-cleanup ${SCHEDULER_ACCOUNT} roles/run.invoker`,
  `secrets ${SECRET} ${JOB_ACCOUNT} roles/secretmanager.secretAccessor`,
  `bigquery ${EVENTS_TABLE} ${DIGEST_ACCOUNT} roles/bigquery.dataViewer`,
  `bigquery ${VERDICTS_TABLE} ${DIGEST_ACCOUNT} roles/bigquery.dataViewer`,
  `projects ${PROJECT} ${DIGEST_ACCOUNT} roles/bigquery.jobUser`,
  `secrets ${SECRET} ${DIGEST_ACCOUNT} roles/secretmanager.secretAccessor`,
  `run healing-digest-daily ${SCHEDULER_ACCOUNT} roles/run.invoker`,
  `run healing-digest-weekly ${SCHEDULER_ACCOUNT} roles/run.invoker`,
  `projects ${PROJECT} ${BUILD_ACCOUNT} roles/logging.logWriter`,
  `storage ${BUILD_BUCKET} ${BUILD_ACCOUNT} roles/storage.objectViewer`,
  `artifacts auto-batch-cleanup ${BUILD_ACCOUNT} roles/artifactregistry.writer`,
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

  test('plans the events table and the verdicts table from their schema files, each partitioned by day as its .table.json says', () => {
    const mkTable = plan.filter((line) => / mk --table /.test(line));
    expect(mkTable).toHaveLength(2);
    expect(mkTable[0]).toContain('--schema=schemas/healing_events.json');
    expect(mkTable[0]).toContain('--time_partitioning_type=DAY --time_partitioning_field=timestamp');
    expect(mkTable[0]).toContain('--clustering_fields=healing_type ');
    expect(mkTable[0]).toMatch(new RegExp(` ${PROJECT}:nba_orchestration\\.healing_events$`));
    expect(mkTable[1]).toContain('--schema=schemas/heal_verdicts.json');
    expect(mkTable[1]).toContain('--time_partitioning_type=DAY --time_partitioning_field=checked_at');
    expect(mkTable[1]).toContain('--clustering_fields=healing_type,verdict ');
    expect(mkTable[1]).toMatch(new RegExp(` ${PROJECT}:nba_orchestration\\.heal_verdicts$`));
  });

  test('plans the view healing_events_unique: the earliest row of each healing_id', () => {
    const views = plan.filter((line) => line.includes(' --view='));
    expect(views).toEqual([
      expect.stringMatching(new RegExp(`^bq --project_id=${PROJECT} mk --use_legacy_sql=false --view=.* ${PROJECT}:nba_orchestration\\.healing_events_unique$`)),
    ]);
    expect(views[0]).toContain(
      `--view='SELECT * FROM \`${PROJECT}.nba_orchestration.healing_events\` WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1'`,
    );
  });

  test('HEALING_TABLE and HEALING_VERDICT_TABLE name the tables and the view, and reach the job and the digests', () => {
    const named = runDeploy([...ARGS, '--dry-run'], cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, HEALING_TABLE: 'heals', HEALING_VERDICT_TABLE: 'heal_checks' }));
    expect(named.status).toBe(0);
    const namedPlan = plannedCommands(named);
    expect(namedPlan.filter((line) => / mk --table /.test(line)).map((line) => line.split(' ').at(-1))).toEqual([
      `${PROJECT}:nba_orchestration.heals`,
      `${PROJECT}:nba_orchestration.heal_checks`,
    ]);
    expect(namedPlan.find((line) => line.includes(' --view='))).toMatch(new RegExp(`--view='SELECT \\* FROM \`${PROJECT}\\.nba_orchestration\\.heals\` .* ${PROJECT}:nba_orchestration\\.heals_unique$`));
    for (const job of ['auto-batch-cleanup', 'healing-digest-daily', 'healing-digest-weekly']) {
      expect(namedPlan.find((line) => line.startsWith(`gcloud run jobs deploy ${job} `))).toMatch(/--set-env-vars=\S*HEALING_TABLE=heals,HEALING_VERDICT_TABLE=heal_checks,/);
    }
  });

  test('a HEALING_VERDICT_TABLE that is not a table name is a configuration error naming it', () => {
    const bad = runDeploy([...ARGS, '--dry-run'], { SLACK_WEBHOOK_URL: FAKE_WEBHOOK, HEALING_VERDICT_TABLE: 'heal-verdicts' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('deploy: HEALING_VERDICT_TABLE must be a BigQuery table name');
    expect(plannedCommands(bad)).toEqual([]);
  });

  test('plans every composite index of deploy/firestore.indexes.json, in the order of the file', () => {
    expect(run.stdout).toContain('deploy/firestore.indexes.json');
    const indexes = plan
      .filter((line) => line.startsWith('gcloud firestore indexes composite create'))
      .map((line) => [/--collection-group=(\S+)/.exec(line)?.[1], /--query-scope=(\S+)/.exec(line)?.[1], ...[...line.matchAll(/--field-config=(\S+)/g)].map((m) => m[1])].join(' '));
    expect(indexes).toEqual(
      INDEX_FILE.indexes.map(({ collectionGroup, fields }) =>
        [collectionGroup, 'collection', ...fields.map(({ fieldPath, order }) => `field-path=${fieldPath},order=${order.toLowerCase()}`)].join(' '),
      ),
    );
    expect(indexes).toEqual(
      expect.arrayContaining([
        'prediction_batches collection field-path=is_complete,order=ascending field-path=created_at,order=ascending',
        'healing_events collection field-path=healing_type,order=ascending field-path=timestamp,order=descending',
        'healing_events collection field-path=healing_type,order=ascending field-path=success,order=ascending field-path=timestamp,order=descending',
        'healing_events collection field-path=verdict_due,order=ascending field-path=timestamp,order=ascending',
      ]),
    );
  });

  test('mounts the webhook from Secret Manager and never prints its value', () => {
    const deployJob = plan.find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '));
    expect(deployJob).toContain(`--set-secrets=SLACK_WEBHOOK_URL=${SECRET}:latest`);
    expect(deployJob).not.toMatch(/--set-env-vars=\S*SLACK_WEBHOOK_URL/);
    expect(plan).toContain(`gcloud secrets versions add ${SECRET} --project=${PROJECT} --data-file=- < (the webhook from SLACK_WEBHOOK_URL)`);
    expect(run.stdout + run.stderr).not.toContain('webhook-value-7c1e9d');
  });

  test('builds the image with Cloud Build as its own account, which may only push to the repository, read its source bucket and write logs', () => {
    expect(plan.filter((line) => line.startsWith('gcloud builds submit'))).toEqual([
      `gcloud builds submit . --project=${PROJECT} --config=deploy/cloudbuild.yaml --substitutions=_IMAGE=${IMAGE} --service-account=projects/${PROJECT}/serviceAccounts/${BUILD_ACCOUNT.replace('serviceAccount:', '')} --gcs-source-staging-dir=${BUILD_BUCKET}/source`,
    ]);
    expect(plan).toContain(
      `gcloud storage buckets create ${BUILD_BUCKET} --project=${PROJECT} --location=${REGION} --uniform-bucket-level-access --public-access-prevention --lifecycle-file=deploy/build-bucket-lifecycle.json --no-user-output-enabled`,
    );
    expect(grants(plan).filter((grant) => grant.includes(BUILD_ACCOUNT))).toEqual(
      [
        `artifacts auto-batch-cleanup ${BUILD_ACCOUNT} roles/artifactregistry.writer`,
        `projects ${PROJECT} ${BUILD_ACCOUNT} roles/logging.logWriter`,
        `storage ${BUILD_BUCKET} ${BUILD_ACCOUNT} roles/storage.objectViewer`,
      ].sort(),
    );
    const config = readFileSync(join(repoRoot, 'deploy/cloudbuild.yaml'), 'utf8');
    expect(config).toContain("images: ['${_IMAGE}']");
    expect(config).toContain('logging: CLOUD_LOGGING_ONLY');
  });

  test('--build-bucket names the source bucket; a domain-scoped project gets a bucket name without its colon and dots', () => {
    const named = plannedCommands(runDeploy([...ARGS, '--dry-run', '--no-slack', '--only=image', '--build-bucket=team-builds'], cloud.env()));
    expect(named.find((line) => line.startsWith('gcloud builds submit'))).toMatch(/ --gcs-source-staging-dir=gs:\/\/team-builds\/source$/);
    const scoped = plannedCommands(runDeploy(['--project=example.com:healer', `--region=${REGION}`, '--image-tag=v1', '--dry-run', '--no-slack', '--only=image'], cloud.env()));
    expect(scoped.find((line) => line.startsWith('gcloud storage buckets create'))).toContain('gs://example-com-healer-auto-batch-cleanup-build ');
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

  test('grants BigQuery data roles on the two tables, never on the dataset; running queries stays a project role', () => {
    const bigQueryGrants = grants(plan).filter((grant) => grant.startsWith('bigquery '));
    expect(bigQueryGrants.map((grant) => grant.split(' ')[1])).toEqual([EVENTS_TABLE, EVENTS_TABLE, VERDICTS_TABLE, VERDICTS_TABLE].sort());
    expect(grants(plan).filter((grant) => grant.includes('roles/bigquery.jobUser')).map((grant) => grant.split(' ')[0])).toEqual(['projects', 'projects']);
    expect(run.stdout).toContain(`(a real run removes roles/bigquery.dataEditor on the dataset from ${JOB_ACCOUNT.replace('serviceAccount:', '')} here`);
  });
});

describe('deploy.sh --dry-run: what watches the healer, the digests and the self-check', () => {
  const cloud = fakeCloud();
  const CHANNELS = `123,projects/${PROJECT}/notificationChannels/456`;
  let run: DeployRun;
  let plan: string[];

  beforeAll(() => {
    run = runDeploy(
      [...ARGS, '--dry-run', `--notification-channels=${CHANNELS}`, '--digest-time=07:30', '--digest-tz=Europe/Paris'],
      cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }),
    );
    plan = plannedCommands(run);
  });

  test('creates a log-based metric from the run summary for each file of deploy/monitoring/metrics', () => {
    expect(run.status).toBe(0);
    expect(plan.filter((line) => line.startsWith('gcloud logging metrics create'))).toEqual(
      METRICS.map((name) => `gcloud logging metrics create ${name} --project=${PROJECT} --config-from-file=deploy/monitoring/metrics/${name}.json`),
    );
    for (const name of METRICS) {
      const metric = JSON.parse(readFileSync(join(repoRoot, `deploy/monitoring/metrics/${name}.json`), 'utf8'));
      expect(metric.filter).toContain('resource.labels.job_name="auto-batch-cleanup" AND jsonPayload.message="run summary"');
    }
  });

  test('creates the three alert policies with the notification channels given, and the dashboard', () => {
    expect(plan.filter((line) => line.startsWith('gcloud alpha monitoring policies create'))).toEqual(
      POLICIES.map((file) => `gcloud alpha monitoring policies create --project=${PROJECT} --policy-from-file=${file} --notification-channels=${CHANNELS}`),
    );
    expect(plan).toContain(`gcloud monitoring dashboards create --project=${PROJECT} --config-from-file=deploy/monitoring/dashboard.json`);
  });

  test('the "not running" policy fires when no run summary was counted for 45 minutes; the other on an exit 1 or a braked run', () => {
    const notRunning = JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/policies/not-running.json'), 'utf8'));
    expect(notRunning.conditions).toHaveLength(1);
    expect(notRunning.conditions[0].conditionAbsent).toEqual(
      expect.objectContaining({ duration: '2700s', filter: expect.stringContaining('logging.googleapis.com/user/auto_batch_cleanup_runs') }),
    );
    const failed = JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/policies/failed-or-braked.json'), 'utf8'));
    expect(failed.combiner).toBe('OR');
    expect(failed.conditions.map((condition: { conditionThreshold: { filter: string } }) => condition.conditionThreshold.filter)).toEqual([
      expect.stringMatching(/user\/auto_batch_cleanup_runs".*metric\.label\.exit_code="1"/),
      expect.stringContaining('user/auto_batch_cleanup_safety_brake"'),
    ]);
    const filters: string[] = [];
    JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/dashboard.json'), 'utf8'), (key, value) => {
      if (key === 'filter') filters.push(value);
      return value;
    });
    expect(filters.map((filter) => /user\/(\w+)"/.exec(filter)?.[1]).sort()).toEqual(METRICS);
  });

  test('the "pending export" policy fires when a run ends with more events pending export than a run an hour earlier', () => {
    const policy = JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/policies/pending-export-growing.json'), 'utf8'));
    expect(policy.conditions).toHaveLength(1);
    expect(policy.conditions[0].conditionThreshold).toEqual({
      filter: 'metric.type="logging.googleapis.com/user/auto_batch_cleanup_pending_export" AND resource.type="cloud_run_job"',
      aggregations: [{ alignmentPeriod: '3600s', perSeriesAligner: 'ALIGN_PERCENT_CHANGE' }],
      comparison: 'COMPARISON_GT',
      thresholdValue: 0,
      duration: '0s',
      trigger: { count: 1 },
    });
    // The metric it watches is the run summary's pending_export.
    const metric = JSON.parse(readFileSync(join(repoRoot, 'deploy/monitoring/metrics/auto_batch_cleanup_pending_export.json'), 'utf8'));
    expect(metric.valueExtractor).toBe('EXTRACT(jsonPayload.pending_export)');
    expect(plan).toContain(
      `gcloud alpha monitoring policies create --project=${PROJECT} --policy-from-file=deploy/monitoring/policies/pending-export-growing.json --notification-channels=${CHANNELS}`,
    );
  });

  test('deploys the daily and weekly digest jobs with fixed arguments, as their own account, from the same image', () => {
    const image = `--image=${REGION}-docker.pkg.dev/${PROJECT}/auto-batch-cleanup/auto-batch-cleanup:v1`;
    for (const [name, window] of [
      ['healing-digest-daily', '24h'],
      ['healing-digest-weekly', '7d'],
    ]) {
      const deploy = plan.find((line) => line.startsWith(`gcloud run jobs deploy ${name} `));
      expect(deploy).toContain(image);
      expect(deploy).toContain(`--service-account=${DIGEST_ACCOUNT.replace('serviceAccount:', '')}`);
      expect(deploy).toContain(`--args=analyze-healing,--last,${window},--compare,--slack`);
      expect(deploy).toContain(`--set-secrets=SLACK_WEBHOOK_URL=${SECRET}:latest`);
    }
    const digestGrants = grants(plan).filter((grant) => grant.includes(DIGEST_ACCOUNT));
    expect(digestGrants).toEqual(
      [
        `bigquery ${EVENTS_TABLE} ${DIGEST_ACCOUNT} roles/bigquery.dataViewer`,
        `bigquery ${VERDICTS_TABLE} ${DIGEST_ACCOUNT} roles/bigquery.dataViewer`,
        `projects ${PROJECT} ${DIGEST_ACCOUNT} roles/bigquery.jobUser`,
        `secrets ${SECRET} ${DIGEST_ACCOUNT} roles/secretmanager.secretAccessor`,
      ].sort(),
    );
    expect(grants(plan).filter((grant) => grant.includes(SCHEDULER_ACCOUNT))).toEqual([
      `run auto-batch-cleanup ${SCHEDULER_ACCOUNT} roles/run.invoker`,
      `run healing-digest-daily ${SCHEDULER_ACCOUNT} roles/run.invoker`,
      `run healing-digest-weekly ${SCHEDULER_ACCOUNT} roles/run.invoker`,
    ]);
  });

  test('triggers the daily digest at --digest-time in --digest-tz, and the weekly one on Mondays', () => {
    const daily = plan.find((line) => line.startsWith('gcloud scheduler jobs create http healing-digest-daily '));
    expect(daily).toContain("--schedule='30 7 * * *' --time-zone=Europe/Paris");
    expect(daily).toContain(`/jobs/healing-digest-daily:run`);
    const weekly = plan.find((line) => line.startsWith('gcloud scheduler jobs create http healing-digest-weekly '));
    expect(weekly).toContain("--schedule='30 7 * * 1' --time-zone=Europe/Paris");
    expect(weekly).toContain(`--oauth-service-account-email=${SCHEDULER_ACCOUNT.replace('serviceAccount:', '')}`);
  });

  test('waits for the indexes, then ends by executing the job once with --check and waiting for it', () => {
    expect(run.stdout).toMatch(/Wait for the Firestore indexes to be ready[\s\S]*Cloud Scheduler trigger auto-batch-cleanup[\s\S]*Self-check/);
    expect(plan.at(-1)).toBe(`gcloud run jobs execute auto-batch-cleanup --project=${PROJECT} --region=${REGION} --args=--check --tasks=1 --wait`);
  });

  test('--digest-weekday moves the weekly digest; --skip-check leaves the execution out', () => {
    const other = runDeploy([...ARGS, '--dry-run', '--digest-weekday=friday', '--skip-check'], cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }));
    expect(other.status).toBe(0);
    const otherPlan = plannedCommands(other);
    expect(otherPlan.find((line) => line.includes('create http healing-digest-weekly'))).toContain("--schedule='0 8 * * 5' --time-zone=Etc/UTC");
    expect(otherPlan.some((line) => line.includes('jobs execute'))).toBe(false);
    expect(other.stdout).toContain('--skip-check');
  });

  test('--no-slack makes no digest job and says so', () => {
    const quiet = runDeploy([...ARGS, '--dry-run', '--no-slack'], cloud.env());
    expect(quiet.status).toBe(0);
    const quietPlan = plannedCommands(quiet);
    expect(quietPlan.filter((line) => line.includes('healing-digest'))).toEqual([]);
    expect(quiet.stdout).toContain('--no-slack: no digest job is made');
    expect(quietPlan.find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '))).toContain('--clear-secrets');
  });
});

describe('deploy.sh checks the job settings with the job itself', () => {
  test.each([
    ['STALL_MINUTES', '0'],
    ['MIN_COMPLETION_PCT', '150'],
    ['MAX_AGE_HOURS', '0'],
    ['EXPORT_DEADLINE_SECONDS', 'soon'],
  ])('%s=%s stops the deploy with the job\'s own message and exit 2, dry run included', (name, value) => {
    const cloud = fakeCloud();
    for (const mode of [['--dry-run'], []]) {
      const run = runDeploy([...ARGS, ...mode], cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, [name]: value }));
      expect(run.status).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(new RegExp(`^auto-batch-cleanup: ${name} .*"${value}"$`));
      expect(plannedCommands(run)).toEqual([]);
    }
    expect(cloud.calls()).toEqual([]);
  });

  test('a malformed webhook is refused by the job\'s own rule, without printing the webhook', () => {
    const run = runDeploy([...ARGS, '--dry-run'], { SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0FAKE/B0FAKE/secret-part-93f1' });
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^auto-batch-cleanup: SLACK_WEBHOOK_URL /);
    expect(run.stdout + run.stderr).not.toContain('secret-part-93f1');
  });

  test('settings the job accepts are deployed as given, with the export and Slack deadlines', () => {
    const run = runDeploy([...ARGS, '--dry-run'], { EXPORT_DEADLINE_SECONDS: '30', SLACK_DEADLINE_SECONDS: '5', MIN_COMPLETION_PCT: '100' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("the job's settings pass its own check (auto-batch-cleanup --check-config): configuration ok");
    const deployJob = plannedCommands(run).find((line) => line.startsWith('gcloud run jobs deploy auto-batch-cleanup '));
    expect(deployJob).toContain('MIN_COMPLETION_PCT=100,');
    expect(deployJob).toContain('EXPORT_DEADLINE_SECONDS=30,SLACK_DEADLINE_SECONDS=5,');
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
      `table ${PROJECT}:nba_orchestration.heal_verdicts`,
      `view ${PROJECT}:nba_orchestration.healing_events_unique`,
      ...INDEX_FILE.indexes.map(({ collectionGroup }) => `index on ${collectionGroup}`),
      'service account auto-batch-cleanup-job',
      'service account auto-batch-cleanup-invoker',
      `secret ${SECRET}`,
      `secret version of ${SECRET}`,
      'service account auto-batch-cleanup-build',
      `bucket ${BUILD_BUCKET}`,
      'repository auto-batch-cleanup',
      `image ${IMAGE}`,
      'service account healing-digest',
      'scheduler job healing-digest-daily',
      'scheduler job healing-digest-weekly',
      ...METRICS.map((name) => `log metric ${name}`),
      ...POLICIES.map((file) => `alert policy ${file}`),
      'dashboard deploy/monitoring/dashboard.json',
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

  test('a second run updates the metrics, the policies (keeping their channels) and the dashboard (with its etag) in place', () => {
    const cloud = fakeCloud();
    const env = cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK });
    expect(runDeploy([...ARGS, '--notification-channels=77'], env).status).toBe(0);
    const before = cloud.calls().length;

    const second = runDeploy(ARGS, env);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const calls = cloud.calls().slice(before);
    expect(creations(calls)).toEqual([]);
    expect(calls.filter((call) => call.startsWith('gcloud logging metrics update')).map((call) => call.split(' ')[4])).toEqual(METRICS);
    const policyUpdates = calls.filter((call) => call.startsWith('gcloud alpha monitoring policies update'));
    expect(policyUpdates).toHaveLength(POLICIES.length);
    for (const update of policyUpdates) expect(update).toMatch(/^gcloud alpha monitoring policies update projects\/demo-proj\/alertPolicies\/\d+ .*--set-notification-channels=77$/);
    expect(calls).toContainEqual(expect.stringMatching(/^gcloud monitoring dashboards update projects\/demo-proj\/dashboards\/\d+ /));
    expect(second.stdout).toContain('with the etag of the current dashboard');
    expect(calls.filter((call) => call.startsWith('gcloud scheduler jobs update http')).map((call) => call.split(' ')[5])).toEqual([
      'healing-digest-daily',
      'healing-digest-weekly',
      'auto-batch-cleanup',
    ]);
    expect(calls.at(-1)).toBe(`gcloud run jobs execute auto-batch-cleanup --project=${PROJECT} --region=${REGION} --args=--check --tasks=1 --wait`);
  });

  test("a data role an earlier deploy granted on the whole dataset is removed, and nobody else's", () => {
    const cloud = fakeCloud();
    const analyst = 'user:analyst@example.com';
    writeFileSync(
      join(cloud.state, 'bigquery-bindings'),
      [
        `${PROJECT}:nba_orchestration ${JOB_ACCOUNT} roles/bigquery.dataEditor`,
        `${PROJECT}:nba_orchestration ${DIGEST_ACCOUNT} roles/bigquery.dataViewer`,
        `${PROJECT}:nba_orchestration ${analyst} roles/bigquery.dataViewer`,
        '',
      ].join('\n'),
    );
    const env = cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK });
    const first = runDeploy(ARGS, env);
    expect(first.stderr).not.toMatch(/ERROR|deploy:/);
    expect(first.status).toBe(0);
    expect(cloud.calls().filter((call) => call.includes('remove-iam-policy-binding'))).toEqual([
      `bq --project_id=${PROJECT} remove-iam-policy-binding --member=${JOB_ACCOUNT} --role=roles/bigquery.dataEditor ${PROJECT}:nba_orchestration`,
      `bq --project_id=${PROJECT} remove-iam-policy-binding --member=${DIGEST_ACCOUNT} --role=roles/bigquery.dataViewer ${PROJECT}:nba_orchestration`,
    ]);
    const onDataset = cloud
      .read('bigquery-bindings')
      .split('\n')
      .filter((line) => line.startsWith(`${PROJECT}:nba_orchestration `));
    expect(onDataset).toEqual([`${PROJECT}:nba_orchestration ${analyst} roles/bigquery.dataViewer`]);

    const before = cloud.calls().length;
    expect(runDeploy(ARGS, env).status).toBe(0);
    expect(cloud.calls().slice(before).filter((call) => call.includes('remove-iam-policy-binding'))).toEqual([]);
  });

  test('waits while new indexes build, then schedules and checks the job', () => {
    const cloud = fakeCloud();
    const run = runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, FAKE_CLOUD_INDEX_BUILDING_LISTS: '2', INDEX_POLL_SECONDS: '1' }));
    expect(run.stderr).not.toMatch(/ERROR|deploy:/);
    expect(run.status).toBe(0);
    expect(run.stdout.match(/still building: prediction_batches \(is_complete,created_at\), healing_events/g)).toHaveLength(2);
    expect(run.stdout).toContain('every index of deploy/firestore.indexes.json is ready');
    expect(run.stdout).toContain('the self-check passed');
  });

  test('indexes still building past --index-wait stop the deploy before the trigger, naming them', () => {
    const cloud = fakeCloud();
    const run = runDeploy([...ARGS, '--index-wait=2s'], cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, FAKE_CLOUD_INDEX_BUILDING_LISTS: '1000', INDEX_POLL_SECONDS: '1' }));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('deploy: stopped in step "indexes": still building after 2s: prediction_batches (is_complete,created_at)');
    expect(run.stderr).toContain('--only=indexes,scheduler,check');
    expect(cloud.calls().some((call) => /scheduler jobs (create|update) http auto-batch-cleanup|jobs execute/.test(call))).toBe(false);
  });

  test('an alert policy on a metric Monitoring does not know yet is tried again, then created', () => {
    const cloud = fakeCloud();
    const message =
      'ERROR: (gcloud.alpha.monitoring.policies.create) INVALID_ARGUMENT: Cannot find metric(s) that match type = "logging.googleapis.com/user/auto_batch_cleanup_runs".';
    const run = runDeploy(
      ARGS,
      cloud.env({
        SLACK_WEBHOOK_URL: FAKE_WEBHOOK,
        FAKE_CLOUD_FAIL_ON: 'monitoring policies create',
        FAKE_CLOUD_FAIL_MESSAGE: message,
        FAKE_CLOUD_FAIL_TIMES: '2',
        MONITORING_RETRY_SECONDS: '1',
      }),
    );
    expect(run.stderr).not.toMatch(/ERROR|deploy:/);
    expect(run.status).toBe(0);
    expect(run.stdout.match(/not ready yet \(ERROR: \(gcloud\.alpha\.monitoring\.policies\.create\) INVALID_ARGUMENT: Cannot find metric/g)).toHaveLength(2);
    // Two refusals and the try that creates it, then the other policies at once.
    expect(creations(cloud.calls()).filter((name) => name.startsWith('alert policy'))).toEqual(
      [POLICIES[0], POLICIES[0], ...POLICIES].map((file) => `alert policy ${file}`),
    );
    expect(cloud.read('resources/policy/auto-batch-cleanup run failed or hit the safety brake')).toMatch(/^projects\/demo-proj\/alertPolicies\/\d+\|/);
  });

  test('a failing self-check of the deployed job is exit 1, pointing at its log lines', () => {
    const cloud = fakeCloud();
    const message = 'ERROR: (gcloud.run.jobs.execute) The execution failed.';
    const run = runDeploy(
      ARGS,
      cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK, FAKE_CLOUD_FAIL_ON: 'run jobs execute', FAKE_CLOUD_FAIL_MESSAGE: message }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(`deploy: stopped in step "check": the deployed job's self-check failed`);
    expect(run.stderr).toContain('gcloud logging read');
  });

  test('hands the webhook to Secret Manager on stdin, never on a command line or in the output', () => {
    const cloud = fakeCloud();
    const run = runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }));
    expect(run.status).toBe(0);
    expect(cloud.read(`resources/secret-value/${SECRET}`)).toBe(FAKE_WEBHOOK);
    expect(cloud.calls().join('\n')).not.toContain('webhook-value-7c1e9d');
    expect(run.stdout + run.stderr).not.toContain('webhook-value-7c1e9d');
  });

  test('the webhook is on no command line of any process the deploy starts, the check of the job settings included', () => {
    const cloud = fakeCloud();
    const trace = join(cloud.dir, 'execve.trace');
    const found = spawnSync('strace', ['-V'], { encoding: 'utf8' });
    if (found.error) throw new Error(`strace is needed for this test and did not run (${found.error.message}); scripts/test.sh installs it from Debian's packages`);
    // Every program started, with its arguments in full; environments are left out (/* N vars */).
    const run = runDeploy(ARGS, cloud.env({ SLACK_WEBHOOK_URL: FAKE_WEBHOOK }), {
      prefix: ['strace', '-f', '-qq', '-e', 'trace=execve', '-s', '1000000', '-o', trace],
    });
    expect(run.stderr).not.toMatch(/ERROR|deploy:/);
    expect(run.status).toBe(0);
    const started = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => line.includes('execve('));
    // The trace holds the job's own check and the stand-in CLI's calls, so it sees what the deploy starts.
    expect(started).toContainEqual(expect.stringMatching(/jobs\/main\.js", "--check-config"\]/));
    expect(started).toContainEqual(expect.stringContaining('"secrets", "versions", "add"'));
    expect(started.filter((line) => line.includes('webhook-value-7c1e9d'))).toEqual([]);
    expect(cloud.read(`resources/secret-value/${SECRET}`)).toBe(FAKE_WEBHOOK);
  }, 180_000);

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

describe('deploy.sh Firestore indexes from deploy/firestore.indexes.json', () => {
  const checkouts: string[] = [];
  afterAll(() => checkouts.forEach((checkout) => rmSync(checkout, { recursive: true, force: true })));

  /** A copy of the checkout whose index file is `edit` applied to this checkout's file. */
  function checkoutWithIndexes(edit: (file: IndexFile) => unknown): string {
    const checkout = copyCheckout();
    checkouts.push(checkout);
    writeFileSync(join(checkout, 'deploy/firestore.indexes.json'), JSON.stringify(edit(structuredClone(INDEX_FILE)), null, 2));
    return checkout;
  }

  test('an index added as one entry, on a collection named after the default healing collection, is created under the configured names and waited for', () => {
    const checkout = checkoutWithIndexes((file) => ({
      ...file,
      indexes: [
        ...file.indexes,
        {
          collectionGroup: 'healing_events_notes',
          queryScope: 'COLLECTION',
          fields: [
            { fieldPath: 'topic', order: 'ASCENDING' },
            { fieldPath: 'written_at', order: 'ASCENDING' },
          ],
        },
      ],
    }));
    const configured = (collectionGroup: string) => collectionGroup.replace(/^prediction_batches$/, 'nightly_batches').replace(/^healing_events/, 'ops_heals');
    const listed = INDEX_FILE.indexes.map(({ collectionGroup, fields }) => `${configured(collectionGroup)} (${fields.map(({ fieldPath }) => fieldPath).join(',')})`);
    const cloud = fakeCloud();
    const env = cloud.env({ BATCH_COLLECTION: 'nightly_batches', HEALING_COLLECTION: 'ops_heals', FAKE_CLOUD_INDEX_BUILDING_LISTS: '1', INDEX_POLL_SECONDS: '1' });
    const args = [...ARGS, '--no-slack', '--only=firestore,indexes'];

    const first = runDeploy(args, env, { checkout });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(creations(cloud.calls())).toEqual([...INDEX_FILE.indexes.map(({ collectionGroup }) => `index on ${configured(collectionGroup)}`), 'index on ops_heals_notes']);
    expect(listed.slice(0, 3)).toEqual(['nightly_batches (is_complete,created_at)', 'ops_heals (healing_type,timestamp)', 'ops_heals (healing_type,success,timestamp)']);
    expect(cloud.calls()).toContainEqual(expect.stringContaining('--collection-group=ops_heals_notes --query-scope=collection --field-config=field-path=topic,order=ascending --field-config=field-path=written_at,order=ascending'));
    expect(first.stdout).toContain(`still building: ${[...listed, 'ops_heals_notes (topic,written_at)'].join(', ')}`);
    expect(first.stdout).toContain('every index of deploy/firestore.indexes.json is ready');

    const before = cloud.calls().length;
    const second = runDeploy(args, env, { checkout });
    expect(second.status).toBe(0);
    expect(creations(cloud.calls().slice(before))).toEqual([]);
    expect(second.stdout).toContain('index exists: ops_heals_notes (topic,written_at)');
  });

  test.each<[string, (file: IndexFile) => unknown, string]>([
    [
      'a collection the deploy cannot map',
      (file) => ({ ...file, indexes: [...file.indexes, { ...file.indexes[0]!, collectionGroup: 'orders' }] }),
      `deploy: deploy/firestore.indexes.json index ${INDEX_FILE.indexes.length + 1} names the collection "orders"; use a default name`,
    ],
    [
      'a field without an order',
      (file) => ({ ...file, indexes: [{ ...file.indexes[0]!, fields: [{ fieldPath: 'tags', arrayConfig: 'CONTAINS' }, file.indexes[0]!.fields[0]] }] }),
      'deploy: deploy/firestore.indexes.json index 1 (prediction_batches) needs two or more fields, each with a fieldPath and an order (ASCENDING or DESCENDING)',
    ],
    [
      'a misspelt order',
      (file) => ({ ...file, indexes: [{ ...file.indexes[0]!, fields: [{ fieldPath: 'is_complete', order: 'ASC' }, file.indexes[0]!.fields[1]] }] }),
      'deploy: deploy/firestore.indexes.json index 1 (prediction_batches): "is_complete" "ASC" is not a field path with order ASCENDING or DESCENDING',
    ],
    [
      'a field override',
      (file) => ({ ...file, fieldOverrides: [{ collectionGroup: 'healing_events', fieldPath: 'metadata', indexes: [] }] }),
      'deploy: deploy/firestore.indexes.json has fieldOverrides, which the deploy does not apply',
    ],
  ])('an index file with %s stops the deploy before any command, exit 2, naming it', (_name, edit, message) => {
    const checkout = checkoutWithIndexes(edit);
    const cloud = fakeCloud();
    const run = runDeploy([...ARGS, '--no-slack', '--dry-run'], cloud.env(), { checkout });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(plannedCommands(run)).toEqual([]);
    expect(cloud.calls()).toEqual([]);
  });
});

describe('deploy.sh options', () => {
  test('--help prints the steps and options and exits 0', () => {
    const run = runDeploy(['--help'], {});
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: deploy\/deploy\.sh --project PROJECT --region REGION/);
    expect(run.stdout).toContain('--dry-run');
  });

  test.each([
    ['--digest-time=25:00', '--digest-time must be a time of day HH:MM'],
    ['--digest-tz=Mars/Olympus_Mons', '--digest-tz must be a time zone'],
    ['--digest-weekday=someday', '--digest-weekday must be a day from monday to sunday'],
    ['--notification-channels=a b', '--notification-channels must be comma-separated notification channel ids'],
    ['--index-wait=soon', '--index-wait must be a duration'],
    ['--build-bucket=My_Bucket', '--build-bucket must be a bucket name'],
  ])('%s is a usage error (exit 2) naming it', (option, message) => {
    const run = runDeploy([...ARGS, '--dry-run', option], { SLACK_WEBHOOK_URL: FAKE_WEBHOOK });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`deploy: ${message}`);
    expect(run.stdout).toBe('');
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
