import { ConfigError, loadCommonConfig, loadJobConfig } from './config.js';
import { exitCodeFor } from './exitCodes.js';

const base = { GOOGLE_CLOUD_PROJECT: 'my-project' };

describe('configuration from the environment', () => {
  it('uses the spec defaults when only the project is set', () => {
    const config = loadJobConfig(base);
    expect(config).toMatchObject({
      projectId: 'my-project',
      batchCollection: 'prediction_batches',
      healingCollection: 'healing_events',
      dataset: 'nba_orchestration',
      table: 'healing_events',
      verdictTable: 'heal_verdicts',
      stallMinutes: 15,
      minCompletionPct: 90,
      maxAgeHours: 24,
      maxHealsPerRun: 25,
      dryRun: false,
      slackWebhookUrl: undefined,
      logLevel: 'info',
      taskIndex: 0,
      taskCount: 1,
      exportDeadlineSeconds: 60,
      slackDeadlineSeconds: 15,
    });
  });

  it('reads every variable that is set', () => {
    const config = loadJobConfig({
      ...base,
      BATCH_COLLECTION: 'b',
      HEALING_COLLECTION: 'h',
      HEALING_DATASET: 'd',
      HEALING_TABLE: 't',
      HEALING_VERDICT_TABLE: 'v',
      STALL_MINUTES: '30',
      MIN_COMPLETION_PCT: '95.5',
      MAX_AGE_HOURS: '48',
      MAX_HEALS_PER_RUN: '5',
      DRY_RUN: 'true',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      LOG_LEVEL: 'debug',
      CLOUD_RUN_TASK_INDEX: '1',
      CLOUD_RUN_TASK_COUNT: '3',
      EXPORT_DEADLINE_SECONDS: '20',
      SLACK_DEADLINE_SECONDS: '2.5',
    });
    expect(config).toMatchObject({ exportDeadlineSeconds: 20, slackDeadlineSeconds: 2.5, batchCollection: 'b', healingCollection: 'h', dataset: 'd', table: 't', verdictTable: 'v', stallMinutes: 30, minCompletionPct: 95.5, maxAgeHours: 48, maxHealsPerRun: 5, dryRun: true, logLevel: 'debug', taskIndex: 1, taskCount: 3 });
  });

  it.each([
    ['GOOGLE_CLOUD_PROJECT', ''],
    ['STALL_MINUTES', 'abc'],
    ['STALL_MINUTES', '-5'],
    ['STALL_MINUTES', '0'],
    ['MIN_COMPLETION_PCT', '101'],
    ['MIN_COMPLETION_PCT', 'ninety'],
    ['MAX_AGE_HOURS', '0'],
    ['MAX_HEALS_PER_RUN', '2.5'],
    ['MAX_HEALS_PER_RUN', '0'],
    ['DRY_RUN', 'maybe'],
    ['SLACK_WEBHOOK_URL', 'not a url'],
    ['SLACK_WEBHOOK_URL', 'ftp://hooks.slack.com/x'],
    ['SLACK_WEBHOOK_URL', 'http://hooks.slack.com/services/T/B/X'],
    ['SLACK_WEBHOOK_URL', 'http://10.0.0.5:8080/hook'],
    ['LOG_LEVEL', 'verbose'],
    ['HEALING_DATASET', 'bad-name'],
    ['HEALING_TABLE', 'x;DROP'],
    ['HEALING_VERDICT_TABLE', 'heal-verdicts'],
    ['HEALING_VERDICT_TABLE', 'healing_events'],
    ['BATCH_COLLECTION', 'a/b'],
    ['FIRESTORE_EMULATOR_HOST', 'not a host'],
    ['BIGQUERY_EMULATOR_HOST', '127.0.0.1:9050'],
    ['CLOUD_RUN_TASK_INDEX', '3'],
    ['EXPORT_DEADLINE_SECONDS', '0'],
    ['EXPORT_DEADLINE_SECONDS', 'soon'],
    ['SLACK_DEADLINE_SECONDS', '-1'],
  ])('%s=%j is a configuration error (exit 2) naming the variable', (name, value) => {
    const env = { ...base, CLOUD_RUN_TASK_COUNT: '3', [name]: value };
    let thrown: unknown;
    try {
      loadJobConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(name);
    expect(exitCodeFor(thrown)).toBe(2);
  });

  it('never repeats the Slack webhook in its error, since the URL is a secret', () => {
    expect(() => loadJobConfig({ ...base, SLACK_WEBHOOK_URL: 'hooks secret-token' })).toThrow(/^SLACK_WEBHOOK_URL is not a valid URL$/);
    expect(() => loadJobConfig({ ...base, SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/T/B/secret-token' })).toThrow(
      /^SLACK_WEBHOOK_URL must be an https:\/\/ URL \(http:\/\/ only to a loopback address: 127\.0\.0\.1, ::1 or localhost\)$/,
    );
  });

  it.each(['http://127.0.0.1:8099/services/T/B/X', 'http://[::1]:8099/hook', 'http://localhost:8099/hook', 'https://hooks.slack.com/services/T/B/X'])(
    'accepts the webhook %s: https, or http to a loopback stand-in',
    (url) => {
      expect(loadJobConfig({ ...base, SLACK_WEBHOOK_URL: url }).slackWebhookUrl).toBe(url);
    },
  );

  it('does not make the CLI validate job-only settings', () => {
    expect(loadCommonConfig({ ...base, STALL_MINUTES: 'abc' }).projectId).toBe('my-project');
  });
});
