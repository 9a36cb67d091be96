import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BigQuery, TableField } from '@google-cloud/bigquery';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { uniqueSuffix } from '../test/support/emulators.js';
import { plannedCommands, repoRoot, runDeploy } from './test-support/deployScript.js';

// The table step with Google's own `bq` (from the Cloud SDK) against the local BigQuery emulator.
// bq runs through the gcloud wrapper, which needs an account: a fake access token file stands in
// for one, a private gcloud config keeps the machine's untouched, and a bigqueryrc points bq's
// --api at the emulator, so deploy.sh runs exactly the commands it runs against Google.

const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'local-healing';
const emulator = process.env.BIGQUERY_EMULATOR_HOST ?? 'http://127.0.0.1:9050';
const schema: TableField[] = JSON.parse(readFileSync(join(repoRoot, 'schemas/healing_events.json'), 'utf8'));
const verdictSchema: TableField[] = JSON.parse(readFileSync(join(repoRoot, 'schemas/heal_verdicts.json'), 'utf8'));

const home = mkdtempSync(join(tmpdir(), 'deploy-bq-'));
mkdirSync(join(home, 'gcloud'));
writeFileSync(join(home, 'token'), 'fake-access-token\n');
writeFileSync(join(home, 'bigqueryrc'), `--api=${emulator}\n`);

function deployTable(dataset: string) {
  return runDeploy([`--project=${project}`, '--region=us-central1', '--image-tag=test', '--only=bigquery'], {
    HOME: home,
    CLOUDSDK_CONFIG: join(home, 'gcloud'),
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: join(home, 'token'),
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    BIGQUERYRC: join(home, 'bigqueryrc'),
    HEALING_DATASET: dataset,
  });
}

/** Each bq call goes through the gcloud wrapper (seconds of Python each) and the emulator answers slowly under load. */
const SLOW = 360_000;

const shape = (fields: TableField[] | undefined) => (fields ?? []).map(({ name, type, mode }) => `${name} ${type} ${mode ?? 'NULLABLE'}`);

describe('deploy.sh table step with bq against the BigQuery emulator', () => {
  const bigquery: BigQuery = createBigQuery({ projectId: project, bigqueryEmulatorHost: emulator });
  const datasets: string[] = [];
  const newDataset = () => {
    const name = `deploy_${uniqueSuffix()}`;
    datasets.push(name);
    return name;
  };

  afterAll(async () => {
    for (const name of datasets) await bigquery.dataset(name).delete({ force: true }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test('creates the dataset, both tables from their schema files (events partitioned by day on timestamp, verdicts on checked_at) and the view of the earliest row per healing_id; a second run changes no table and makes the view again in place', async () => {
    const dataset = newDataset();
    const first = deployTable(dataset);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);

    const [metadata] = await bigquery.dataset(dataset).table('healing_events').getMetadata();
    expect(metadata.timePartitioning).toEqual(expect.objectContaining({ type: 'DAY', field: 'timestamp' }));
    expect(metadata.clustering).toEqual({ fields: ['healing_type'] });
    expect(shape(metadata.schema?.fields)).toEqual(shape(schema));
    const [verdicts] = await bigquery.dataset(dataset).table('heal_verdicts').getMetadata();
    expect(verdicts.timePartitioning).toEqual(expect.objectContaining({ type: 'DAY', field: 'checked_at' }));
    expect(verdicts.clustering).toEqual({ fields: ['healing_type', 'verdict'] });
    expect(shape(verdicts.schema?.fields)).toEqual(shape(verdictSchema));

    const event = { healing_type: 'batch_cleanup', trigger_reason: 'stalled', action_taken: 'completed', success: true };
    await bigquery.dataset(dataset).table('healing_events').insert([
      { ...event, healing_id: 'twice', timestamp: '2026-11-20T10:00:00Z', action_taken: 'first' },
      { ...event, healing_id: 'twice', timestamp: '2026-11-20T10:05:00Z', action_taken: 'second' },
      { ...event, healing_id: 'once', timestamp: '2026-11-20T11:00:00Z' },
    ]);
    const unique = async () => {
      const [rows] = await bigquery.query(`SELECT healing_id, action_taken FROM \`${project}.${dataset}.healing_events_unique\` ORDER BY healing_id`);
      return rows;
    };
    const earliest = [
      { healing_id: 'once', action_taken: 'completed' },
      { healing_id: 'twice', action_taken: 'first' },
    ];
    expect(await unique()).toEqual(earliest);

    const again = deployTable(dataset);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`dataset ${dataset} exists`);
    expect(again.stdout).toContain('table healing_events exists with every column');
    expect(again.stdout).toContain('table heal_verdicts exists with every column');
    const changes = plannedCommands(again).filter((line) => / (mk|update) /.test(line));
    expect(changes).toEqual([expect.stringMatching(new RegExp(` update --use_legacy_sql=false --view=.* ${project}:${dataset}\\.healing_events_unique$`))]);
    expect(await unique()).toEqual(earliest);
  }, SLOW);

  test("adds the schema file's new NULLABLE columns to the existing nine-column table in place, keeping its rows", async () => {
    const dataset = newDataset();
    const original = schema.filter((field) => field.name !== 'root_cause');
    expect(original).toHaveLength(9);
    await bigquery.createDataset(dataset);
    const [table] = await bigquery.dataset(dataset).createTable('healing_events', {
      schema: { fields: original },
      timePartitioning: { type: 'DAY', field: 'timestamp' },
      clustering: { fields: ['healing_type'] },
    });
    await table.insert([
      { healing_id: 'old-1', timestamp: '2026-11-20T10:00:00Z', healing_type: 'batch_cleanup', trigger_reason: 'stalled', action_taken: 'completed', success: true },
    ]);

    const run = deployTable(dataset);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('adding NULLABLE columns to healing_events: root_cause');
    expect(plannedCommands(run)).toContainEqual(
      `bq --project_id=${project} update --clustering_fields=healing_type --description='${JSON.parse(readFileSync(join(repoRoot, 'schemas/healing_events.table.json'), 'utf8')).description}' ${project}:${dataset}.healing_events schemas/healing_events.json`,
    );

    const [metadata] = await table.getMetadata();
    expect(shape(metadata.schema?.fields)).toEqual(shape(schema));
    expect(metadata.schema?.fields?.find((field: TableField) => field.name === 'root_cause')?.mode).toBe('NULLABLE');
    const [rows] = await bigquery.query(`SELECT healing_id FROM \`${project}.${dataset}.healing_events\``);
    expect(rows.map((row) => row.healing_id)).toEqual(['old-1']);
  }, SLOW);
});
