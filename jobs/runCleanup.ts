import type { Firestore } from '@google-cloud/firestore';
import pMap from 'p-map';
import { runSummaryMessage, safetyBrakeMessage } from '../shared/alerts/slackMessages.js';
import type { JobConfig } from '../shared/config.js';
import type { HealingEvent } from '../shared/healingEvent.js';
import type { Logger } from '../shared/logger.js';
import type { HealingTracker } from '../shared/tracker/HealingTracker.js';
import { failedEvent, HEALING_TYPE, type RunIdentity } from './batchHealingEvent.js';
import { decideCandidates, queryCandidates } from './candidates.js';
import { healBatch } from './healBatch.js';
import { ownsBatch } from './taskShard.js';

/** Heals run this many at a time; each is its own transaction on its own batch. */
const HEAL_CONCURRENCY = 8;
/** Batch ids listed in the safety-brake alert. */
const BRAKE_SAMPLE = 10;

export interface CleanupDependencies {
  config: JobConfig;
  firestore: Firestore;
  tracker: HealingTracker;
  logger: Logger;
  /** Current time, replaceable in tests. */
  now?: () => Date;
}

/** The run's outcome, logged as one summary line. */
export interface CleanupSummary {
  found: number;
  stalled: number;
  healed: number;
  failed: number;
  skipped_malformed: number;
  skipped_changed: number;
  exported: number;
  pending_export: number;
  firestore_reads: number;
  duration_ms: number;
  dry_run: boolean;
  safety_brake: boolean;
  task_index: number;
  task_count: number;
  healed_ids: string[];
  would_heal_ids: string[];
}

export interface CleanupResult {
  summary: CleanupSummary;
  exitCode: 0 | 1;
}

/** One run of the job: export leftovers, find, decide, brake, heal, record, export, alert. */
export async function runCleanup({ config, firestore, tracker, logger, now: clock = () => new Date() }: CleanupDependencies): Promise<CleanupResult> {
  const started = Date.now();
  const now = clock();
  const rule = { stallMinutes: config.stallMinutes, minCompletionPct: config.minCompletionPct, maxAgeHours: config.maxAgeHours };
  const run: RunIdentity = { execution: config.executionName ?? 'local', taskIndex: config.taskIndex, taskCount: config.taskCount };
  const batches = firestore.collection(config.batchCollection);
  const summary: CleanupSummary = {
    found: 0, stalled: 0, healed: 0, failed: 0, skipped_malformed: 0, skipped_changed: 0,
    exported: 0, pending_export: 0, firestore_reads: 0, duration_ms: 0,
    dry_run: config.dryRun, safety_brake: false, task_index: config.taskIndex, task_count: config.taskCount,
    healed_ids: [], would_heal_ids: [],
  };
  const finish = (exitCode: 0 | 1): CleanupResult => {
    summary.firestore_reads = tracker.reads.reads;
    summary.duration_ms = Date.now() - started;
    logger.info('run summary', { ...summary });
    return { summary, exitCode };
  };

  if (!config.dryRun) {
    const leftovers = await tracker.exportPending();
    summary.exported += leftovers.exported;
    summary.pending_export += leftovers.pending;
  }

  const decision = decideCandidates(await queryCandidates(batches, rule, now, tracker.reads), rule, now);
  summary.found = decision.found;
  summary.stalled = decision.stalled.length;
  summary.skipped_malformed = decision.malformed.length;
  for (const { id, reason } of decision.malformed) {
    logger.warn(`skipped malformed batch ${id}: ${reason}`, { batch_id: id, reason });
  }

  if (decision.stalled.length > config.maxHealsPerRun) {
    summary.safety_brake = true;
    const sample = decision.stalled.slice(0, BRAKE_SAMPLE).map((batch) => batch.id);
    logger.critical(`safety brake: ${decision.stalled.length} stalled batches exceed MAX_HEALS_PER_RUN (${config.maxHealsPerRun}); healed none`, {
      stalled: decision.stalled.length, max_heals_per_run: config.maxHealsPerRun, sample_batch_ids: sample,
    });
    if (!config.dryRun && config.taskIndex === 0) {
      await tracker.alert(HEALING_TYPE, 'safety_brake', safetyBrakeMessage(decision.stalled.length, config.maxHealsPerRun, sample, tracker.investigation(HEALING_TYPE)));
    }
    return finish(1);
  }

  const mine = decision.stalled.filter((batch) => ownsBatch(batch.id, config.taskIndex, config.taskCount));
  if (config.dryRun) {
    summary.would_heal_ids = mine.map((batch) => batch.id);
    for (const batch of mine) logger.info(`dry run: would heal batch ${batch.id}`, { batch_id: batch.id });
    return finish(0);
  }

  const context = { firestore, tracker, rule, run, collection: config.batchCollection, reads: tracker.reads, now };
  const healedEvents: HealingEvent[] = [];
  const failedEvents: HealingEvent[] = [];
  const failedIds: string[] = [];
  await pMap(
    mine,
    async (batch) => {
      const outcome = await healBatch(batches.doc(batch.id), batch, context);
      if (outcome.kind === 'healed') {
        healedEvents.push(outcome.event);
        summary.healed_ids.push(batch.id);
        logger.info(`healed batch ${batch.id}`, { batch_id: batch.id, healing_id: outcome.event.healing_id, healing_type: HEALING_TYPE });
      } else if (outcome.kind === 'changed') {
        summary.skipped_changed += 1;
        logger.info(`left batch ${batch.id} alone: ${outcome.reason}`, { batch_id: batch.id });
      } else {
        failedIds.push(batch.id);
        logger.error(`failed to heal batch ${batch.id}: ${outcome.error}`, { batch_id: batch.id, error: outcome.error });
        const recorded = await tracker.write(failedEvent(batch, now, run, config.batchCollection, outcome.error));
        if (recorded.created) failedEvents.push(recorded.event);
      }
    },
    { concurrency: HEAL_CONCURRENCY },
  );
  summary.healed = healedEvents.length;
  summary.failed = failedIds.length;

  const exported = await tracker.export([...healedEvents, ...failedEvents]);
  summary.exported += exported.exported;
  summary.pending_export += exported.pending;

  if (summary.healed > 0 || summary.failed > 0) {
    const check = await tracker.checkPatterns(HEALING_TYPE);
    await tracker.notify(
      runSummaryMessage(
        { healedIds: summary.healed_ids, failedIds, skippedMalformed: summary.skipped_malformed, counts: check.counts, execution: describeRun(run) },
        tracker.investigation(HEALING_TYPE),
      ),
    );
  }
  return finish(summary.failed > 0 ? 1 : 0);
}

function describeRun(run: RunIdentity): string {
  return run.taskCount > 1 ? `${run.execution} (task ${run.taskIndex + 1} of ${run.taskCount})` : run.execution;
}
