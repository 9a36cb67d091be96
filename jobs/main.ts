#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { ConfigError, type JobConfig, loadJobConfig, parsePositiveInteger } from '../shared/config.js';
import { describeError, EXIT_OK, EXIT_USAGE, exitCodeFor } from '../shared/exitCodes.js';
import { isAccessDenied, isUnreachable } from '../shared/firestoreErrors.js';
import { createLogger } from '../shared/logger.js';
import { createTracker } from '../shared/tracker/createTracker.js';
import { runCleanup } from './runCleanup.js';

interface JobFlags {
  dryRun?: boolean;
  maxHeals?: number;
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

/** Reads flags and environment, runs the job once, and returns the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
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

  const logger = createLogger({ level: config.logLevel });
  const { firestore, tracker } = createTracker(config, { logger, slackWebhookUrl: config.slackWebhookUrl });
  try {
    const { exitCode } = await runCleanup({ config, firestore, tracker, logger });
    return exitCode;
  } catch (error) {
    const line = explainFailure(error, config, env);
    logger.error(`run failed: ${line}`);
    process.stderr.write(`auto-batch-cleanup: ${line}\n`);
    return exitCodeFor(error);
  } finally {
    await firestore.terminate();
  }
}

/** One line saying what failed and what to check. */
function explainFailure(error: unknown, config: JobConfig, env: Record<string, string | undefined>): string {
  const line = describeError(error, env);
  const firestore = env.FIRESTORE_EMULATOR_HOST ? `the Firestore emulator at ${env.FIRESTORE_EMULATOR_HOST}` : 'Firestore';
  if (isUnreachable(error)) return `${firestore} did not answer; check that it is running and reachable (${line})`;
  if (isAccessDenied(error)) return `${firestore} refused access for project ${config.projectId}; check the job's service account roles (${line})`;
  return line;
}

process.exitCode = await main(process.argv, process.env);
