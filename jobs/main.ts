#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { AlertChannel } from '../shared/alerts/AlertChannel.js';
import { LogChannel } from '../shared/alerts/LogChannel.js';
import { SlackChannel } from '../shared/alerts/SlackChannel.js';
import { createBigQuery, createFirestore } from '../shared/clients.js';
import { ConfigError, type JobConfig, loadJobConfig, parsePositiveInteger } from '../shared/config.js';
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../shared/exitCodes.js';
import { isAccessDenied, isUnreachable } from '../shared/firestoreErrors.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { createLogger, errorFields, type Logger } from '../shared/logger.js';
import { TIMED_OUT, within } from '../shared/timeLimit.js';
import { FirestoreUnavailableError } from './healBatches.js';
import { type CleanupSummary, runCleanup } from './runCleanup.js';
import { selfCheck } from './selfCheck.js';

/** How long closing the clients may take once the work is done. */
const CLOSE_TIMEOUT_MS = 5_000;

interface JobFlags {
  dryRun?: boolean;
  maxHeals?: number;
  check?: boolean;
  checkConfig?: boolean;
}

function parseFlags(argv: string[]): JobFlags | number {
  const program = new Command('auto-batch-cleanup')
    .description('Find prediction batches stalled near the end, complete them safely, and record every heal.')
    .version(packageJson.version)
    .option('--dry-run', 'find and report stalled batches, change nothing (DRY_RUN)')
    .option('--max-heals <n>', 'safety brake: heal none when more batches qualify (MAX_HEALS_PER_RUN)', (value) => {
      try {
        return parsePositiveInteger(value, '--max-heals');
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .option('--check', "check the deployment: run every query the job makes (limit one) and check the BigQuery table; writes nothing")
    .option('--check-config', 'check the settings in the environment and exit: 0 when the job would accept them, 2 naming the first bad one')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return EXIT_OK;
    process.stderr.write(`auto-batch-cleanup: ${error.message.replace(/^error: /, '')}\n`);
    return EXIT_USAGE;
  }
  return program.opts<JobFlags>();
}

/** Reads flags and environment, runs the job once (or its checks), and returns the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>, stop: AbortSignal = new AbortController().signal): Promise<number> {
  const flags = parseFlags(argv);
  if (typeof flags === 'number') return flags;
  let config: JobConfig;
  try {
    config = loadJobConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`auto-batch-cleanup: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (flags.dryRun) config.dryRun = true;
  if (flags.maxHeals !== undefined) config.maxHealsPerRun = flags.maxHeals;
  if (flags.checkConfig) {
    process.stdout.write('configuration ok\n');
    return EXIT_OK;
  }

  const logger = createLogger({ level: config.logLevel });
  const firestore = createFirestore(config);
  const table = new HealingEventTable(createBigQuery(config), config.dataset, config.table);
  let firestoreGone = false;
  try {
    if (flags.check) return await selfCheck({ config, firestore, table, write: (line) => process.stdout.write(`${line}\n`) });
    const channel: AlertChannel =
      config.slackWebhookUrl === undefined
        ? new LogChannel(logger)
        : new SlackChannel({ webhookUrl: config.slackWebhookUrl, logger, postTimeoutMs: config.slackDeadlineSeconds * 1000 });
    const { exitCode, failure, summary } = await runCleanup({ config, firestore, table, channel, logger, stop });
    firestoreGone = failure instanceof FirestoreUnavailableError;
    if (failure !== undefined) process.stderr.write(`auto-batch-cleanup: ${explainFailure(failure, config, env)}\n`);
    else if (exitCode !== EXIT_OK) process.stderr.write(`auto-batch-cleanup: ${outcomeLine(summary, config)}\n`);
    return exitCode;
  } catch (error) {
    const line = explainFailure(error, config, env);
    logger.error(`run failed: ${line}`, errorFields(error));
    process.stderr.write(`auto-batch-cleanup: ${line}\n`);
    return EXIT_FAILED;
  } finally {
    // A client that lost its server still holds transactions; closing it under them only adds errors. The process exit ends them.
    if (!firestoreGone) await closeQuietly(firestore, logger);
  }
}

/** Why a run that ran to its end exits 1, in one line. */
function outcomeLine(summary: CleanupSummary, config: JobConfig): string {
  if (summary.safety_brake) return `safety brake: ${summary.stalled} stalled batches exceed MAX_HEALS_PER_RUN (${config.maxHealsPerRun}); healed none`;
  if (summary.stopped) return `stopped by SIGTERM after ${summary.healed} heal(s); ${summary.not_started} batch(es) left for the next run`;
  return `${summary.failed} heal(s) failed; see the run summary and the failed-heal events`;
}

/** Closes the Firestore client after the work it carries; a client that does not close in time is left to the process exit. */
async function closeQuietly(firestore: { terminate(): Promise<void> }, logger: Logger): Promise<void> {
  const closed = await within(firestore.terminate().catch(() => undefined), CLOSE_TIMEOUT_MS, { unref: true });
  if (closed === TIMED_OUT) logger.debug('the Firestore client did not close in time');
}

/** One line saying what failed and what to check. */
function explainFailure(error: unknown, config: JobConfig, env: Record<string, string | undefined>): string {
  const line = describeError(error, env);
  const firestore = env.FIRESTORE_EMULATOR_HOST ? `the Firestore emulator at ${env.FIRESTORE_EMULATOR_HOST}` : 'Firestore';
  if (isUnreachable(error)) return `${firestore} did not answer; check that it is running and reachable (${line})`;
  if (isAccessDenied(error)) return `${firestore} refused access for project ${config.projectId}; check the job's service account roles (${line})`;
  return line;
}

// Cloud Run sends SIGTERM at the task timeout or on cancel, and SIGKILL 10 s later.
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopping.abort());
process.exitCode = await main(process.argv, process.env, stopping.signal);
// A Firestore client that lost its server keeps retrying requests for minutes; the run is over.
setTimeout(() => process.exit(), 1_000).unref();
