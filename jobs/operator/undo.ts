import type { Command } from 'commander';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../../shared/exitCodes.js';
import { executionHealsQuery } from './executionHeals.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { actorName, byOption, formatOption, positiveIntegerOption, reasonOption } from './operatorOptions.js';
import { type OperatorSession, type OutputFormat, withFirestore } from './operatorSession.js';
import { describeChange, shownValue, type UndoOutcome, undoHeal } from './undoHeal.js';

/** Heals of one execution undone at most, unless --max says more. */
export const DEFAULT_MAX_UNDO = 25;

interface UndoOptions {
  reason: string;
  by?: string;
  execution?: string;
  max: number;
  dryRun?: boolean;
  format: OutputFormat;
}

/** `auto-batch-cleanup undo HEALING_ID... | --execution EXECUTION`: reopens healed batches and records the verdict `undone`. */
export const undoCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('undo')
      .description('undo heals: each batch runs again with the players it has, its stall clock restarted; the heal gets the verdict undone')
      .argument('[healing_ids...]', 'healing ids of the heals to undo')
      .addOption(reasonOption('why the heals are undone; recorded on each batch and in the verdict'))
      .addOption(byOption())
      .option('--execution <execution>', 'undo every successful batch heal of this job execution (metadata.execution) instead')
      .addOption(positiveIntegerOption('--max <n>', 'with --execution: refuse, writing nothing, when the execution has more heals than this', DEFAULT_MAX_UNDO))
      .option('--dry-run', 'print each field that would change, before and after; write nothing')
      .addOption(formatOption())
      .action(function (this: Command, ids: string[], options: UndoOptions) {
        if (ids.length > 0 && options.execution !== undefined) this.error('undo takes healing ids or --execution, not both', { exitCode: EXIT_USAGE });
        if (ids.length === 0 && options.execution === undefined) this.error('undo needs the healing ids to undo, or --execution EXECUTION', { exitCode: EXIT_USAGE });
        if (options.execution !== undefined && options.execution.trim() === '') this.error('--execution must name a job execution', { exitCode: EXIT_USAGE });
        if (options.execution === undefined && this.getOptionValueSource('max') === 'cli') this.error('--max goes with --execution', { exitCode: EXIT_USAGE });
        choose((context) => undo(context, ids, options));
      });
  },
};

async function undo(context: OperatorContext, ids: string[], options: UndoOptions): Promise<number> {
  return withFirestore(context, async (session) => {
    const request = { by: actorName(options.by, context.env), reason: options.reason };
    const healingIds = options.execution === undefined ? [...new Set(ids)] : await healsOfExecution(session, options.execution, options.max);
    if (typeof healingIds === 'number') return healingIds;
    const events = session.firestore.collection(session.config.healingCollection);
    const outcomes: UndoOutcome[] = [];
    const print = () =>
      session.print(
        options.format,
        { command: 'undo', dry_run: options.dryRun === true, by: request.by, reason: request.reason, ...(options.execution === undefined ? {} : { execution: options.execution }), results: outcomes.map(resultOf), ...counts(outcomes) },
        outcomes.flatMap(linesOf),
      );
    try {
      for (const healingId of healingIds) {
        const outcome = await undoHeal({ firestore: session.firestore, events, answer: session.answer }, { healingId, ...request }, options.dryRun === true);
        outcomes.push(outcome);
        log(session, outcome, request);
      }
    } catch (error) {
      // Firestore went away: say what was done before it did.
      if (outcomes.length > 0) print();
      throw error;
    }
    print();
    return outcomes.every((outcome) => outcome.outcome === 'undone' || outcome.outcome === 'would_undo') ? EXIT_OK : EXIT_FAILED;
  });
}

/** The heals of an execution, or the exit code when there are none or more than `max` (nothing is written then). */
async function healsOfExecution(session: OperatorSession, execution: string, max: number): Promise<string[] | number> {
  const { config, io, logger } = session;
  const query = executionHealsQuery(session.firestore.collection(config.healingCollection), execution);
  const found = await session.answer(query.select().limit(max + 1).get());
  if (found.empty) {
    io.stderr(`auto-batch-cleanup: execution "${execution}" has no successful ${BATCH_CLEANUP} heal in ${config.healingCollection}; nothing to undo\n`);
    return EXIT_FAILED;
  }
  if (found.size > max) {
    const total = (await session.answer(query.count().get())).data().count;
    io.stderr(`auto-batch-cleanup: execution "${execution}" has ${total} successful heals, more than --max ${max}; nothing was undone (give --max ${total} to undo them all)\n`);
    return EXIT_USAGE;
  }
  logger.info(`execution ${execution} has ${found.size} successful heal(s) to undo`, { execution, heals: found.size });
  return found.docs.map((doc) => doc.id);
}

function log(session: OperatorSession, outcome: UndoOutcome, request: { by: string; reason: string }): void {
  const fields = { healing_id: outcome.healingId, by: request.by, reason: request.reason };
  if ('reason' in outcome) {
    const line = `${outcome.outcome === 'refused' ? 'refused to undo' : 'failed to undo'} heal ${outcome.healingId}: ${outcome.reason}`;
    if (outcome.outcome === 'refused') session.logger.warn(line, { ...fields, refusal: outcome.reason });
    else session.logger.error(line, { ...fields, error: outcome.reason });
    return;
  }
  const { heal, completed, expected, changes } = outcome.plan;
  const batch = { batch_id: heal.batchId, batch_collection: heal.batchCollection, completed_players: completed, expected_players: expected };
  if (outcome.outcome === 'undone') session.logger.info(`undid heal ${outcome.healingId}: batch ${heal.batchId} is running again`, { ...fields, ...batch });
  else session.logger.info(`dry run: would undo heal ${outcome.healingId} of batch ${heal.batchId}`, { ...fields, ...batch, changes: changes.length });
}

function linesOf(outcome: UndoOutcome): string[] {
  switch (outcome.outcome) {
    case 'refused':
    case 'failed':
      return [`${outcome.outcome} ${outcome.healingId}: ${outcome.reason}`];
    case 'undone': {
      const { heal, completed, expected } = outcome.plan;
      return [`undone ${outcome.healingId}: batch ${heal.batchId} is running again with ${completed} of ${expected} players; verdict undone`];
    }
    case 'would_undo': {
      const { heal, completed, expected, changes } = outcome.plan;
      return [
        `would undo ${outcome.healingId} (batch ${heal.batchId} in ${heal.batchCollection}):`,
        ...changes.map((change) => `  ${describeChange(change)}`),
        `  batch.completed_players: ${completed} of ${expected} players, kept`,
      ];
    }
  }
}

function resultOf(outcome: UndoOutcome): Record<string, unknown> {
  if ('reason' in outcome) return { healing_id: outcome.healingId, outcome: outcome.outcome, reason: outcome.reason };
  const { heal, completed, expected, changes } = outcome.plan;
  return {
    healing_id: outcome.healingId,
    outcome: outcome.outcome,
    batch_id: heal.batchId,
    batch_collection: heal.batchCollection,
    completed_players: completed,
    expected_players: expected,
    changes: changes.map((change) => ({ document: change.document, field: change.field, before: shownValue(change.before), after: shownValue(change.after) })),
  };
}

function counts(outcomes: UndoOutcome[]): Record<string, number> {
  const count = (...kinds: Array<UndoOutcome['outcome']>) => outcomes.filter((outcome) => kinds.includes(outcome.outcome)).length;
  return { undone: count('undone'), would_undo: count('would_undo'), refused: count('refused'), failed: count('failed') };
}
