import type { JobConfig } from '../shared/config.js';
import type { VerdictCounts } from './verdicts/decideVerdict.js';

/** The run's outcome, logged as one `run summary` line that Cloud Monitoring's metrics read. */
export interface CleanupSummary {
  found: number;
  stalled: number;
  healed: number;
  failed: number;
  skipped_malformed: number;
  skipped_changed: number;
  /** Heals skipped because another transaction held the batch (lock timeout, contention): no event, the next run takes the batch. */
  skipped_locked: number;
  /** Stalled batches not tried because the run was stopped (SIGTERM). */
  not_started: number;
  /** Rows the export got into BigQuery, healing events and verdicts together. */
  exported: number;
  /** Rows still pending for BigQuery afterwards, events and verdicts together. */
  pending_export: number;
  /** Pending documents set aside, events and verdicts together. */
  set_aside: number;
  /** The verdict rows among the three counts above. */
  verdicts_exported: number;
  verdicts_pending_export: number;
  verdicts_set_aside: number;
  /** Verdicts this run gave to earlier heals. */
  verdicts: VerdictCounts;
  firestore_reads: number;
  duration_ms: number;
  /** Milliseconds each step of the run took (a step the run did not reach is absent). */
  step_ms: StepTimes;
  dry_run: boolean;
  safety_brake: boolean;
  stopped: boolean;
  /** An operator paused healing: the run healed nothing. */
  paused: boolean;
  /** Why, when paused. */
  pause_reason?: string;
  /** Stalled batches left alone because an operator excluded them. */
  excluded: number;
  exit_code: 0 | 1;
  task_index: number;
  task_count: number;
  execution: string;
  healed_ids: string[];
  would_heal_ids: string[];
}

/** The run's steps whose time the summary reports: find (with the pause and exclusions), heal, verify, export, alert. */
export type StepTimes = Partial<Record<'find' | 'heal' | 'verify' | 'export' | 'alert', number>>;

export function emptySummary(config: JobConfig): CleanupSummary {
  return {
    found: 0, stalled: 0, healed: 0, failed: 0, skipped_malformed: 0, skipped_changed: 0, skipped_locked: 0, not_started: 0,
    exported: 0, pending_export: 0, set_aside: 0, verdicts_exported: 0, verdicts_pending_export: 0, verdicts_set_aside: 0, verdicts: { held: 0, premature: 0, gone: 0 }, firestore_reads: 0, duration_ms: 0, step_ms: {},
    dry_run: config.dryRun, safety_brake: false, stopped: false, paused: false, excluded: 0, exit_code: 0,
    task_index: config.taskIndex, task_count: config.taskCount, execution: config.executionName ?? 'local',
    healed_ids: [], would_heal_ids: [],
  };
}

/** Healing is the job's work: a failed heal, the safety brake, a stop or Firestore failing is exit 1; BigQuery and Slack never are. */
export function exitCodeOf(summary: CleanupSummary, firestoreFailed: boolean): 0 | 1 {
  return summary.failed > 0 || summary.safety_brake || summary.stopped || firestoreFailed ? 1 : 0;
}

/** Every heal the run tried was skipped because another transaction held its batch: exit 0, said on stderr. */
export function allHealsSkippedLocked(summary: CleanupSummary): boolean {
  return summary.skipped_locked > 0 && summary.healed + summary.failed + summary.skipped_changed === 0;
}
