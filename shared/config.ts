import { LOG_LEVELS, type LogLevel } from './logger.js';
import { decimalNumber, describeRange, inRange, type NumberRange, wholeNumber } from './numbers.js';

/** Raised when the environment or a flag holds an unusable value; programs exit 2 on it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Settings both programs read. */
export interface CommonConfig {
  /** Project for Firestore and BigQuery (`GOOGLE_CLOUD_PROJECT`, required). */
  projectId: string;
  /** Firestore emulator `host:port` (`FIRESTORE_EMULATOR_HOST`), unset for Google. */
  firestoreEmulatorHost: string | undefined;
  /** BigQuery emulator URL (`BIGQUERY_EMULATOR_HOST`), unset for Google. */
  bigqueryEmulatorHost: string | undefined;
  /** Firestore collection of healing events (`HEALING_COLLECTION`, default `healing_events`). */
  healingCollection: string;
  /** BigQuery dataset (`HEALING_DATASET`, default `nba_orchestration`). */
  dataset: string;
  /** BigQuery table (`HEALING_TABLE`, default `healing_events`). */
  table: string;
  /** BigQuery table of heal verdicts in the same dataset (`HEALING_VERDICT_TABLE`, default `heal_verdicts`). */
  verdictTable: string;
  /** Log threshold (`LOG_LEVEL`, default `info`). */
  logLevel: LogLevel;
}

/** Settings of the auto-batch-cleanup job. */
export interface JobConfig extends CommonConfig {
  /** Collection of batches to inspect (`BATCH_COLLECTION`, default `prediction_batches`). */
  batchCollection: string;
  /** Minutes without progress before a batch counts as stalled (`STALL_MINUTES`, default 15). */
  stallMinutes: number;
  /** Minimum completion percentage to heal (`MIN_COMPLETION_PCT`, default 90). */
  minCompletionPct: number;
  /** Only batches created within this many hours (`MAX_AGE_HOURS`, default 24). */
  maxAgeHours: number;
  /** Safety brake: more stalled batches than this heals none (`MAX_HEALS_PER_RUN`, default 25). */
  maxHealsPerRun: number;
  /** Find and report only (`DRY_RUN`, default false). */
  dryRun: boolean;
  /** Slack incoming webhook (`SLACK_WEBHOOK_URL`); unset sends alerts to the log only. */
  slackWebhookUrl: string | undefined;
  /** This task's index and the task count of a Cloud Run execution (`CLOUD_RUN_TASK_INDEX`, `CLOUD_RUN_TASK_COUNT`). */
  taskIndex: number;
  taskCount: number;
  /** Cloud Run execution name (`CLOUD_RUN_EXECUTION`), recorded in each event. */
  executionName: string | undefined;
  /** Seconds the whole BigQuery export of a run may take (`EXPORT_DEADLINE_SECONDS`, default 60). */
  exportDeadlineSeconds: number;
  /** Seconds one Slack post may take; all alerting of a run gets three times this (`SLACK_DEADLINE_SECONDS`, default 15). */
  slackDeadlineSeconds: number;
  /** Minutes a healed batch must stay unchanged before its heal is `held` (`VERIFY_MINUTES`, default 60, at least 1). */
  verifyMinutes: number;
  /** Heals of the last this many hours get verdicts (`VERIFY_HOURS`, default 24, at least 1). */
  verifyHours: number;
}

export function loadCommonConfig(env: Env): CommonConfig {
  const projectId = required(env, 'GOOGLE_CLOUD_PROJECT');
  if (!/^[A-Za-z0-9][A-Za-z0-9:._-]*$/.test(projectId)) {
    throw new ConfigError(`GOOGLE_CLOUD_PROJECT is not a valid project id: "${projectId}"`);
  }
  const table = bigQueryName(env, 'HEALING_TABLE', 'healing_events');
  const verdictTable = bigQueryName(env, 'HEALING_VERDICT_TABLE', 'heal_verdicts');
  if (verdictTable.toLowerCase() === table.toLowerCase()) {
    throw new ConfigError(`HEALING_VERDICT_TABLE must name another table than HEALING_TABLE, got "${verdictTable}" for both`);
  }
  return {
    projectId,
    firestoreEmulatorHost: hostPort(env, 'FIRESTORE_EMULATOR_HOST'),
    bigqueryEmulatorHost: emulatorUrl(env, 'BIGQUERY_EMULATOR_HOST'),
    healingCollection: collectionName(env, 'HEALING_COLLECTION', 'healing_events'),
    dataset: bigQueryName(env, 'HEALING_DATASET', 'nba_orchestration'),
    table,
    verdictTable,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

export function loadJobConfig(env: Env): JobConfig {
  const taskCount = integer(env, 'CLOUD_RUN_TASK_COUNT', 1, { min: 1 });
  const taskIndex = integer(env, 'CLOUD_RUN_TASK_INDEX', 0, { min: 0 });
  if (taskIndex >= taskCount) {
    throw new ConfigError(`CLOUD_RUN_TASK_INDEX must be below CLOUD_RUN_TASK_COUNT (${taskCount}), got ${taskIndex}`);
  }
  const verifyMinutes = number(env, 'VERIFY_MINUTES', 60, { min: 1 });
  const verifyHours = number(env, 'VERIFY_HOURS', 24, { min: 1 });
  if (verifyMinutes >= verifyHours * 60) {
    throw new ConfigError(`VERIFY_MINUTES must be shorter than VERIFY_HOURS (${verifyHours} h), or no heal is ever held; got ${env.VERIFY_MINUTES === undefined ? `${verifyMinutes} (the default)` : `"${env.VERIFY_MINUTES}"`}`);
  }
  return {
    ...loadCommonConfig(env),
    batchCollection: collectionName(env, 'BATCH_COLLECTION', 'prediction_batches'),
    stallMinutes: number(env, 'STALL_MINUTES', 15, { min: 0, exclusiveMin: true }),
    minCompletionPct: number(env, 'MIN_COMPLETION_PCT', 90, { min: 0, max: 100, exclusiveMin: true }),
    maxAgeHours: number(env, 'MAX_AGE_HOURS', 24, { min: 0, exclusiveMin: true }),
    maxHealsPerRun: integer(env, 'MAX_HEALS_PER_RUN', 25, { min: 1 }),
    dryRun: boolean(env, 'DRY_RUN', false),
    slackWebhookUrl: loadSlackWebhookUrl(env),
    taskIndex,
    taskCount,
    executionName: present(env, 'CLOUD_RUN_EXECUTION'),
    exportDeadlineSeconds: number(env, 'EXPORT_DEADLINE_SECONDS', 60, { min: 0, max: 3600, exclusiveMin: true }),
    slackDeadlineSeconds: loadSlackDeadlineSeconds(env),
    verifyMinutes,
    verifyHours,
  };
}

/** Seconds one Slack post may take (`SLACK_DEADLINE_SECONDS`, default 15), for the job and for `analyze-healing --slack`. */
export function loadSlackDeadlineSeconds(env: Env): number {
  return number(env, 'SLACK_DEADLINE_SECONDS', 15, { min: 0, max: 600, exclusiveMin: true });
}

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string): string {
  const value = present(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set; it names the Google Cloud project to use`);
  return value;
}

function number(env: Env, name: string, fallback: number, range: NumberRange): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = decimalNumber(raw);
  if (!inRange(value, range)) throw new ConfigError(`${name} must be a number ${describeRange(range)}, got "${raw}"`);
  return value;
}

function integer(env: Env, name: string, fallback: number, range: NumberRange): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = wholeNumber(raw);
  if (!inRange(value, { ...range, whole: true })) throw new ConfigError(`${name} must be a whole number ${describeRange(range)}, got "${raw}"`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${env[name]}"`);
}

function collectionName(env: Env, name: string, fallback: string): string {
  const value = present(env, name) ?? fallback;
  if (value.includes('/') || /^__.*__$/.test(value) || value === '.' || value === '..') {
    throw new ConfigError(`${name} is not a valid Firestore collection id: "${value}"`);
  }
  return value;
}

function bigQueryName(env: Env, name: string, fallback: string): string {
  const value = present(env, name) ?? fallback;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/.test(value)) {
    throw new ConfigError(`${name} must hold only letters, digits and underscores, got "${value}"`);
  }
  return value;
}

function hostPort(env: Env, name: string): string | undefined {
  const value = present(env, name);
  if (value !== undefined && !/^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(value)) {
    throw new ConfigError(`${name} must be host:port, got "${value}"`);
  }
  return value;
}

function emulatorUrl(env: Env, name: string): string | undefined {
  const value = present(env, name);
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+(:\d{1,5})?\/?$/.test(value)) {
    throw new ConfigError(`${name} must be a URL such as http://127.0.0.1:9050, got "${value}"`);
  }
  return value.replace(/\/$/, '');
}

/**
 * The Slack incoming webhook (`SLACK_WEBHOOK_URL`), for the job and for `analyze-healing --slack`;
 * unset gives undefined. It must be https, or http to a loopback address for a local stand-in. The
 * URL is a secret: an error names the variable, never the value.
 */
export function loadSlackWebhookUrl(env: Env): string | undefined {
  const name = 'SLACK_WEBHOOK_URL';
  const value = present(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  const loopback = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${name} must be an https:// URL (http:// only to a loopback address: 127.0.0.1, ::1 or localhost)`);
  }
  return value;
}
