import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBigQuery, createFirestore } from '../shared/clients.js';
import { loadCommonConfig } from '../shared/config.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
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

  it.each([
    ['STALL_MINUTES', '0'],
    ['MIN_COMPLETION_PCT', '150'],
    ['MAX_AGE_HOURS', '0'],
    ['EXPORT_DEADLINE_SECONDS', 'soon'],
  ])('--check-config refuses %s=%s with exit 2 and the one line a run would print', (name, value) => {
    const env = { ...emulatorEnv(uniqueSuffix()), [name]: value };
    const check = runBin(['--check-config'], env);
    const run = runBin([], env);
    expect(check.code).toBe(2);
    expect(check.stderr.split('\n')).toHaveLength(1);
    expect(check.stderr).toContain(name);
    expect(check.stderr).toBe(run.stderr);
  });

  it('--check-config accepts good settings with exit 0 and touches no service', () => {
    const check = runBin(['--check-config'], { GOOGLE_CLOUD_PROJECT: 'p', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', STALL_MINUTES: '20' });
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect(check.stdout.trim()).toBe('configuration ok');
  });

  it('--check passes on a prepared stack with one line per check, and writes nothing', async () => {
    const env = emulatorEnv(uniqueSuffix());
    const config = loadCommonConfig(env);
    await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
    await new HealVerdictTable(createBigQuery(config), config.dataset, config.verdictTable).ensureExists();
    const check = runBin(['--check'], env);
    expect(check.code).toBe(0);
    const lines = check.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('ok '))).toHaveLength(11);
    expect(lines.at(-1)).toBe('all 11 checks passed');
    expect(lines.some((line) => line.includes('candidate batches query'))).toBe(true);
    const firestore = createFirestore(config);
    const written = await Promise.all([env.BATCH_COLLECTION!, env.HEALING_COLLECTION!, `${env.HEALING_COLLECTION}_alert_state`].map((name) => firestore.collection(name).limit(1).get()));
    await firestore.terminate();
    expect(written.map((snapshot) => snapshot.size)).toEqual([0, 0, 0]);
  });

  it('--check fails with exit 1 naming each BigQuery table that is missing', () => {
    const env = emulatorEnv(uniqueSuffix());
    const check = runBin(['--check'], env);
    expect(check.code).toBe(1);
    const failed = check.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toContain(`${env.HEALING_DATASET}.${env.HEALING_TABLE}`);
    expect(failed[1]).toContain(`${env.HEALING_DATASET}.heal_verdicts`);
    expect(failed.every((line) => line.includes('does not exist'))).toBe(true);
  });
});
