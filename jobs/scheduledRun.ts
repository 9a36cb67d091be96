import type { AlertChannel } from '../shared/alerts/AlertChannel.js';
import { LogChannel } from '../shared/alerts/LogChannel.js';
import { SlackChannel } from '../shared/alerts/SlackChannel.js';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createFirestore } from '../shared/firestoreClient.js';
import type { JobConfig } from '../shared/config.js';
import { EXIT_FAILED, EXIT_OK } from '../shared/exitCodes.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { createLogger, errorFields } from '../shared/logger.js';
import type { RunFlags } from './commandLine.js';
import { closeQuietly, explainFailure } from './firestoreFailure.js';
import { FirestoreUnavailableError } from './healBatches.js';
import type { ProgramIo } from './programIo.js';
import { type CleanupSummary, runCleanup } from './runCleanup.js';
import { allHealsSkippedLocked } from './runSummary.js';
import { selfCheck } from './selfCheck.js';

/**
 * What Cloud Scheduler starts, the program without a command: one run of the job (or its checks)
 * with `config`, the flags already applied to it. Returns the exit code.
 */
export async function scheduledRun(config: JobConfig, flags: RunFlags, env: Record<string, string | undefined>, io: ProgramIo): Promise<number> {
  if (flags.checkConfig) {
    io.stdout('configuration ok\n');
    return EXIT_OK;
  }
  const logger = createLogger({ level: config.logLevel, write: io.stdout });
  const firestore = createFirestore(config);
  const table = new HealingEventTable(createBigQuery(config), config.dataset, config.table);
  let firestoreGone = false;
  try {
    if (flags.check) return await selfCheck({ config, firestore, table, write: (line) => io.stdout(`${line}\n`) });
    const channel: AlertChannel =
      config.slackWebhookUrl === undefined
        ? new LogChannel(logger)
        : new SlackChannel({ webhookUrl: config.slackWebhookUrl, logger, postTimeoutMs: config.slackDeadlineSeconds * 1000 });
    const { exitCode, failure, summary } = await runCleanup({ config, firestore, table, channel, logger, stop: io.stop, ...(io.now === undefined ? {} : { now: io.now }) });
    firestoreGone = failure instanceof FirestoreUnavailableError;
    if (failure !== undefined) io.stderr(`auto-batch-cleanup: ${explainFailure(failure, config, env)}\n`);
    else if (exitCode !== EXIT_OK) io.stderr(`auto-batch-cleanup: ${outcomeLine(summary, config)}\n`);
    else if (allHealsSkippedLocked(summary)) {
      io.stderr(`auto-batch-cleanup: healed none: all ${summary.skipped_locked} stalled batch(es) were held by other transactions (lock timeout or contention); the next run takes them\n`);
    }
    return exitCode;
  } catch (error) {
    const line = explainFailure(error, config, env);
    logger.error(`run failed: ${line}`, errorFields(error));
    io.stderr(`auto-batch-cleanup: ${line}\n`);
    return EXIT_FAILED;
  } finally {
    // A client that lost its server still holds transactions; closing it under them only adds errors. The process exit ends them.
    // After a stop the process exits as soon as the run returns: closing is not waited for.
    if (!firestoreGone && io.stop.aborted) void firestore.terminate().catch(() => undefined);
    else if (!firestoreGone) await closeQuietly(firestore, logger);
  }
}

/** Why a run that ran to its end exits 1, in one line. */
function outcomeLine(summary: CleanupSummary, config: JobConfig): string {
  if (summary.safety_brake) return `safety brake: ${summary.stalled - summary.excluded} stalled batches exceed MAX_HEALS_PER_RUN (${config.maxHealsPerRun}); healed none`;
  if (summary.stopped) return `stopped by SIGTERM after ${summary.healed} heal(s); ${summary.not_started} batch(es) left for the next run`;
  return `${summary.failed} heal(s) failed; see the run summary and the failed-heal events`;
}
