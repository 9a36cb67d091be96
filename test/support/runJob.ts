import type { Firestore } from '@google-cloud/firestore';
import type { AlertChannel } from '../../shared/alerts/AlertChannel.js';
import { LogChannel } from '../../shared/alerts/LogChannel.js';
import { SlackChannel } from '../../shared/alerts/SlackChannel.js';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { createFirestore } from '../../shared/firestoreClient.js';
import type { JobConfig } from '../../shared/config.js';
import { HealingEventTable } from '../../shared/healingEventTable.js';
import { HealVerdictTable } from '../../shared/healVerdictTable.js';
import { createMemoryLogger, type LogLevel } from '../../shared/logger.js';
import { type CleanupResult, runCleanup } from '../../jobs/runCleanup.js';

export interface RunJobOptions {
  /** Firestore client of the run; default a client of its own, closed after the run. */
  firestore?: Firestore;
  /** BigQuery endpoint of the run, e.g. a stand-in's URL; default the configuration's. */
  bigqueryUrl?: string;
  /** Slack webhook of the run; default alerts go to the log. */
  slack?: string;
  /** Milliseconds one Slack post may take; default SLACK_DEADLINE_SECONDS. */
  slackTimeoutMs?: number;
  /** The run's clock; default the system clock. */
  now?: () => Date;
  /** Lowest level the memory logger keeps; default debug. */
  logLevel?: LogLevel;
  stop?: AbortSignal;
}

/** One scheduled run in this process, as scheduledRun wires it, with its log lines kept in memory. */
export async function runJob(config: JobConfig, options: RunJobOptions = {}) {
  const logger = createMemoryLogger(options.logLevel ?? 'debug');
  const client = options.firestore ?? createFirestore(config);
  const table = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: options.bigqueryUrl ?? config.bigqueryEmulatorHost }), config.dataset, config.table);
  const channel: AlertChannel =
    options.slack === undefined
      ? new LogChannel(logger)
      : new SlackChannel({ webhookUrl: options.slack, logger, postTimeoutMs: options.slackTimeoutMs ?? config.slackDeadlineSeconds * 1000 });
  const started = Date.now();
  try {
    const result: CleanupResult = await runCleanup({
      config, firestore: client, table, channel, logger,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.stop === undefined ? {} : { stop: options.stop }),
    });
    return { ...result, logger, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (options.firestore === undefined) await client.terminate();
  }
}

/** The events and verdicts tables of `config`, made as deploy makes them. */
export async function prepareTables(config: JobConfig): Promise<void> {
  const bigquery = createBigQuery(config);
  await new HealingEventTable(bigquery, config.dataset, config.table).ensureExists();
  await new HealVerdictTable(bigquery, config.dataset, config.verdictTable).ensureExists();
}
