import { Timestamp } from '@google-cloud/firestore';
import type { Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../../shared/exitCodes.js';
import { controlCollection, EXCLUSION_KIND, exclusionDocumentId } from '../control/controlCollection.js';
import { readExclusion } from '../control/healingControl.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { actorName, byOption, formatOption, forOption, reasonOption, shownTime } from './operatorOptions.js';
import { withFirestore, type OutputFormat } from './operatorSession.js';

/** How long an exclusion lasts without --for. */
export const DEFAULT_EXCLUSION_MINUTES = 24 * 60;

interface ExcludeOptions {
  reason: string;
  for: number;
  by?: string;
  format: OutputFormat;
}

/** `auto-batch-cleanup exclude BATCH_ID... --reason TEXT`: runs leave these batches alone until the exclusion ends. */
export const excludeCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('exclude')
      .description('keep batches from being healed (default for 24h); runs count them in excluded and log the reason')
      .argument('<batch_ids...>', 'ids of the batches to leave alone')
      .addOption(reasonOption('why the batches are left alone; runs log it'))
      .addOption(forOption('how long the exclusion lasts (90m, 6h, 2d)').default(DEFAULT_EXCLUSION_MINUTES, '24h'))
      .addOption(byOption())
      .addOption(formatOption())
      .action(function (this: Command, ids: string[], options: ExcludeOptions) {
        checkBatchIds(this, ids);
        choose((context) => exclude(context, [...new Set(ids)], options));
      });
  },
};

/** Batch ids one command takes: Firestore commits at most this many writes at once. */
export const MAX_BATCH_IDS = 500;

/** A batch id is a Firestore document id: not empty, no "/". */
export function checkBatchIds(command: Command, ids: string[]): void {
  if (ids.length > MAX_BATCH_IDS) command.error(`${command.name()} takes at most ${MAX_BATCH_IDS} batch ids at once, got ${ids.length}`, { exitCode: EXIT_USAGE });
  const bad = ids.find((id) => id.trim() === '' || id.includes('/'));
  if (bad !== undefined) command.error(`"${bad}" is not a batch id (a Firestore document id: not empty, no "/")`, { exitCode: EXIT_USAGE });
}

async function exclude(context: OperatorContext, batchIds: string[], options: ExcludeOptions): Promise<number> {
  return withFirestore(context, async (session) => {
    const { firestore, config } = session;
    const control = controlCollection(firestore, config.healingCollection);
    const now = session.now();
    const until = new Date(now.getTime() + options.for * 60_000);
    const by = actorName(options.by, context.env);
    const batches = firestore.collection(config.batchCollection);
    const documents = batchIds.map((id) => control.doc(exclusionDocumentId(id)));
    const [batchSnapshots, earlierSnapshots] = await Promise.all([
      session.answer(firestore.getAll(...batchIds.map((id) => batches.doc(id)))),
      session.answer(firestore.getAll(...documents)),
    ]);
    // One commit: every exclusion is written, or none.
    const write = firestore.batch();
    batchIds.forEach((batchId, index) => {
      write.set(documents[index]!, { kind: EXCLUSION_KIND, batch_id: batchId, reason: options.reason, by, at: Timestamp.fromDate(now), until: Timestamp.fromDate(until) });
    });
    await session.answer(write.commit());
    const results = batchIds.map((batchId, index) => {
      const earlier = readExclusion(earlierSnapshots[index]!.data());
      return { batch_id: batchId, outcome: 'excluded', until: until.toISOString(), batch_exists: batchSnapshots[index]!.exists, replaced: earlier !== undefined && earlier.until > now ? { reason: earlier.reason, by: earlier.by, until: earlier.until.toISOString() } : null };
    });
    for (const result of results) session.logger.info(`excluded batch ${result.batch_id} from healing until ${result.until}`, { ...result, reason: options.reason, by });
    session.print(
      options.format,
      { command: 'exclude', by, reason: options.reason, until: until.toISOString(), results },
      results.map(
        (result) =>
          `excluded ${result.batch_id} until ${shownTime(until)}, by ${by}: ${options.reason}${result.batch_exists ? '' : ` (no batch ${result.batch_id} in ${config.batchCollection} yet)`}${result.replaced ? ` (replaces the exclusion until ${shownTime(new Date(result.replaced.until))})` : ''}`,
      ),
    );
    return EXIT_OK;
  });
}
