import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { type AlertChannel, Deadline } from '../shared/alerts/AlertChannel.js';
import { Alerter } from '../shared/alerts/Alerter.js';
import { runSummaryMessage } from '../shared/alerts/slackMessages.js';
import { BATCH_CLEANUP } from '../shared/batchCleanup.js';
import type { JobConfig } from '../shared/config.js';
import { FirestoreReadMeter } from '../shared/firestoreReads.js';
import type { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { deadlineSignal } from '../shared/timeLimit.js';
import { firstLine } from '../shared/errorText.js';
import { errorFields, type Logger } from '../shared/logger.js';
import { Outbox } from '../shared/outbox/Outbox.js';
import type { Batch } from './batchDocument.js';
import type { RunIdentity } from './batchHealingEvent.js';
import { findCandidates } from './candidates.js';
import { withoutExcluded } from './control/healingControl.js';
import { readControl } from './control/readControl.js';
import { emptyHealTally, FirestoreUnavailableError, healBatches } from './healBatches.js';
import { type CleanupSummary, emptySummary, type StepTimes, exitCodeOf } from './runSummary.js';
import { afterStop, HARD_STOP_MS, STOP_GRACE_MS, whenAborted } from './stopping.js';
import { ownsBatch } from './taskShard.js';
import { type VerifyResult, verifyHeals } from './verdicts/verifyHeals.js';

export type { CleanupSummary } from './runSummary.js';

/** Batch ids listed in the safety-brake alert. */
const BRAKE_SAMPLE = 10;
/** A claim outlives the export deadline by this much, so only a crashed run's claims expire. */
const CLAIM_MARGIN_MS = 10 * 60_000;

export interface CleanupDependencies {
  config: JobConfig;
  firestore: Firestore;
  table: HealingEventTable;
  /** Slack, or the log when no webhook is set. */
  channel: AlertChannel;
  logger: Logger;
  /**
   * Fires on SIGTERM: no new heal starts, heals in flight and the export get a short grace, alerting
   * is skipped; at the hard stop the summary is logged with what is known and the run returns.
   */
  stop?: AbortSignal;
  /** Current time, replaceable in tests. */
  now?: () => Date;
}

export interface CleanupResult {
  summary: CleanupSummary;
  exitCode: 0 | 1;
  /** What ended the run early (Firestore failing), when something did. */
  failure?: unknown;
}

/**
 * One run of the job: find, decide, heal; then export and alert, each under its deadline; then the
 * summary line, whatever happened before. Healing never waits on BigQuery or Slack. After a stop
 * (SIGTERM) the run ends within the stop timeline of jobs/stopping.ts whatever Firestore, BigQuery
 * or Slack are doing: at the hard stop it logs its summary with what it knows and returns.
 */
export async function runCleanup({ config, firestore, table, channel, logger, stop = new AbortController().signal, now: clock = () => new Date() }: CleanupDependencies): Promise<CleanupResult> {
  const started = Date.now();
  const now = clock();
  const reads = new FirestoreReadMeter();
  const summary = emptySummary(config);
  const heals = emptyHealTally();
  let mine: Batch[] = [];
  const identity: RunIdentity = { execution: config.executionName ?? 'local', taskIndex: config.taskIndex, taskCount: config.taskCount };
  const rule = { stallMinutes: config.stallMinutes, minCompletionPct: config.minCompletionPct, maxAgeHours: config.maxAgeHours };
  const batches = firestore.collection(config.batchCollection);
  const grace = afterStop(stop, STOP_GRACE_MS);
  const hardStop = afterStop(stop, HARD_STOP_MS);
  const outbox = new Outbox({
    firestore, collection: config.healingCollection, table, logger, reads, now: clock,
    verdictTable: new HealVerdictTable(table.bigquery, table.dataset, config.verdictTable),
    run: `${identity.execution}/task-${identity.taskIndex}/${randomUUID().slice(0, 8)}`,
    claimTtlMs: config.exportDeadlineSeconds * 1000 + CLAIM_MARGIN_MS,
  });
  const alerter = new Alerter({
    firestore, collection: config.healingCollection, channel, logger, reads, now: clock, stallMinutes: config.stallMinutes,
    table: `${table.bigquery.projectId}.${table.dataset}.${table.tableName}`,
  });
  const alertDeadline = () => new Deadline(config.slackDeadlineSeconds * 3000, grace);
  /** Waits for `work`, after a stop no longer than the grace. */
  const untilGrace = (work: Promise<unknown>) => Promise.race([work, whenAborted(grace)]);
  let failure: unknown;

  const work = steps().catch((error: unknown) => {
    failure ??= error;
  });
  const ended = await Promise.race([work.then(() => true), whenAborted(hardStop).then(() => false)]);
  if (!ended) {
    const inFlight = heals.started - heals.healedIds.length - heals.failedIds.length - heals.changed - heals.locked;
    logger.warn(`hard stop ${HARD_STOP_MS / 1000} s after SIGTERM: the run ends with what it knows; ${inFlight} heal(s) still in flight commit with their event or not at all`, { heals_in_flight: inFlight });
  }
  return finish();

  async function steps(): Promise<void> {
    // Control and exclusions (an operator's pause and the batches excluded from healing), and the
    // candidates: read side by side, decided only once both are in.
    const [control, decision] = await timed('find', () =>
      Promise.all([
        readControl({ firestore, healingCollection: config.healingCollection, reads, logger, now, dryRun: config.dryRun }),
        findCandidates(batches, rule, now, reads, {
          stop,
          onMalformed: ({ id, reason }) => logger.warn(`skipped malformed batch ${id}: ${reason}`, { batch_id: id, reason }),
        }),
      ]),
    );
    summary.paused = control.pause !== undefined;
    if (control.pause !== undefined) summary.pause_reason = control.pause.reason;

    // Decide.
    summary.found = decision.found;
    summary.stalled = decision.stalled.length;
    summary.skipped_malformed = decision.malformed;
    const { healable, excluded } = withoutExcluded(decision.stalled, control.exclusions);
    summary.excluded = excluded.length;
    for (const { batch, exclusion } of excluded) {
      logger.info(`left excluded batch ${batch.id} alone until ${exclusion.until.toISOString()}: ${exclusion.reason}`, {
        batch_id: batch.id, excluded_by: exclusion.by, exclusion_reason: exclusion.reason, excluded_until: exclusion.until.toISOString(),
      });
    }

    // The safety brake: this many stalled batches is an outage, not a straggler. A paused run heals nothing anyway.
    // A braked run heals none but goes on with the steps below: verdicts, the export and other types' alerts.
    const braked = control.pause === undefined && healable.length > config.maxHealsPerRun;
    if (braked) {
      summary.safety_brake = true;
      const sample = healable.slice(0, BRAKE_SAMPLE).map((batch) => batch.id);
      // The alert below carries the severity, once an hour; this line only describes the run.
      logger.info(`safety brake: ${healable.length} stalled batches exceed MAX_HEALS_PER_RUN (${config.maxHealsPerRun}); healed none`, {
        stalled: healable.length, max_heals_per_run: config.maxHealsPerRun, sample_batch_ids: sample,
      });
      if (!config.dryRun && config.taskIndex === 0) {
        await untilGrace(alerter.raiseSafetyBrake(BATCH_CLEANUP, healable.length, config.maxHealsPerRun, sample, alertDeadline()));
      }
    }

    const owned = braked ? [] : healable.filter((batch) => ownsBatch(batch.id, config.taskIndex, config.taskCount));
    if (control.pause !== undefined || config.dryRun) {
      summary.would_heal_ids = owned.map((batch) => batch.id);
      const why = control.pause !== undefined ? 'paused' : 'dry run';
      for (const batch of owned) logger.info(`${why}: would heal batch ${batch.id}`, { batch_id: batch.id });
      if (config.dryRun) {
        await giveVerdicts();
        return;
      }
    }

    // Heal, each batch in its own transaction with its event; none while paused. After a stop, heals in flight get the grace.
    mine = control.pause === undefined ? owned : [];
    await timed('heal', () => untilGrace(healBatches(mine, batches, { firestore, outbox, rule, run: identity, collection: config.batchCollection, reads, now }, logger, stop, heals)));
    if (heals.firestoreDown !== undefined) throw new FirestoreUnavailableError(heals.firestoreDown);

    // Give earlier heals their verdicts.
    const verdicts = await giveVerdicts();

    // Export this run's events and verdicts (from memory) and the pending ones it claims, under the export deadline.
    const exportDeadline = deadlineSignal(config.exportDeadlineSeconds * 1000, grace);
    const exported = await timed('export', () => outbox.export([...heals.events], exportDeadline.signal, verdicts.rows)).finally(exportDeadline.clear);
    summary.exported = exported.exported;
    summary.pending_export = exported.pending;
    summary.set_aside = exported.setAside;
    summary.verdicts_exported = exported.verdicts.exported;
    summary.verdicts_pending_export = exported.verdicts.pending;
    summary.verdicts_set_aside = exported.verdicts.setAside;
    if (stop.aborted) return;

    // Alert on every type with new events, new verdicts or an alert left undelivered (never failing the run); then the run summary message.
    await timed('alert', () => untilGrace(alert(exported.types, verdicts.types)));
  }

  /** Runs one step of the run and records how long it took in the summary's `step_ms`. */
  async function timed<T>(step: keyof StepTimes, work: () => Promise<T>): Promise<T> {
    const began = Date.now();
    try {
      return await work();
    } finally {
      summary.step_ms[step] = Date.now() - began;
    }
  }

  async function alert(exportedTypes: Set<string>, verdictTypes: Set<string>): Promise<void> {
    const deadline = alertDeadline();
    const types = new Set(exportedTypes);
    if (heals.events.length > 0) types.add(BATCH_CLEANUP);
    const checks = await alerter.check(types, deadline, { verdictTypes });
    const counts = checks.find((check) => check.healingType === BATCH_CLEANUP)?.counts;
    if (heals.events.length > 0 && counts !== undefined) {
      const message = runSummaryMessage(
        { healedIds: heals.healedIds, failedIds: heals.failedIds, skippedMalformed: summary.skipped_malformed, counts, execution: describeRun(identity) },
        alerter.investigation(BATCH_CLEANUP),
      );
      await alerter.post(message, deadline);
    }
  }

  /**
   * Verdicts on earlier heals. Firestore failing here fails the run (exit 1), but only after the
   * export and alerting of what was done: the verdicts given before it are exported too.
   */
  async function giveVerdicts(): Promise<VerifyResult> {
    if (stop.aborted) return { given: summary.verdicts, rows: [], types: new Set() };
    const verdicts = await timed('verify', () =>
      verifyHeals({
        firestore, outbox, healingCollection: config.healingCollection, verifyMinutes: config.verifyMinutes, verifyHours: config.verifyHours,
        taskIndex: config.taskIndex, taskCount: config.taskCount, dryRun: config.dryRun, runStart: now, now: clock(), reads, logger, stop,
      }),
    );
    summary.verdicts = verdicts.given;
    if (verdicts.error !== undefined) {
      failure = verdicts.error;
      logger.error(`giving verdicts failed: ${firstLine(verdicts.error)}`, errorFields(verdicts.error));
    }
    return verdicts;
  }

  /** The one summary line, with what is known now. */
  function finish(): CleanupResult {
    summary.healed = heals.healedIds.length;
    summary.failed = heals.failedIds.length;
    summary.skipped_changed = heals.changed;
    summary.skipped_locked = heals.locked;
    summary.not_started = mine.length - heals.started;
    summary.healed_ids = [...heals.healedIds];
    summary.stopped ||= stop.aborted;
    summary.firestore_reads = reads.reads;
    summary.duration_ms = Date.now() - started;
    const exitCode = exitCodeOf(summary, failure !== undefined);
    summary.exit_code = exitCode;
    const line = { ...summary };
    if (exitCode === 0) logger.info('run summary', line);
    else logger.error('run summary', { ...line, ...(failure === undefined ? {} : errorFields(failure)) });
    return { summary: line, exitCode, ...(failure === undefined ? {} : { failure }) };
  }
}

function describeRun(run: RunIdentity): string {
  return run.taskCount > 1 ? `${run.execution} (task ${run.taskIndex + 1} of ${run.taskCount})` : run.execution;
}
