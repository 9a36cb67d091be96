import type { Command } from 'commander';
import { EXIT_FAILED, EXIT_OK } from '../../shared/exitCodes.js';
import { controlCollection, exclusionDocumentId } from '../control/controlCollection.js';
import { readExclusion } from '../control/healingControl.js';
import { checkBatchIds } from './exclude.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { actorName, byOption, formatOption, shownTime } from './operatorOptions.js';
import { withFirestore, type OutputFormat } from './operatorSession.js';

interface IncludeOptions {
  by?: string;
  format: OutputFormat;
}

type IncludeResult = { batch_id: string; outcome: 'included'; was: { reason: string; by: string; until: string } } | { batch_id: string; outcome: 'refused'; reason: string };

/** `auto-batch-cleanup include BATCH_ID...`: ends exclusions; runs may heal these batches again. */
export const includeCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('include')
      .description('end the exclusion of batches: runs may heal them again')
      .argument('<batch_ids...>', 'ids of excluded batches')
      .addOption(byOption())
      .addOption(formatOption())
      .action(function (this: Command, ids: string[], options: IncludeOptions) {
        checkBatchIds(this, ids);
        choose((context) => include(context, [...new Set(ids)], options));
      });
  },
};

async function include(context: OperatorContext, batchIds: string[], options: IncludeOptions): Promise<number> {
  return withFirestore(context, async (session) => {
    const { firestore, config } = session;
    const control = controlCollection(firestore, config.healingCollection);
    const now = session.now();
    const by = actorName(options.by, context.env);
    const documents = batchIds.map((id) => control.doc(exclusionDocumentId(id)));
    // Deleted rather than ended at this machine's time, so no clock between here and the job decides; the log keeps what it was.
    const results = await session.answer(
      firestore.runTransaction(async (transaction) => {
        const snapshots = await transaction.getAll(...documents);
        return batchIds.map((batchId, index): IncludeResult => {
          const exclusion = readExclusion(snapshots[index]!.data());
          if (exclusion === undefined || exclusion.until <= now) return { batch_id: batchId, outcome: 'refused', reason: 'not excluded' };
          transaction.delete(documents[index]!);
          return { batch_id: batchId, outcome: 'included', was: { reason: exclusion.reason, by: exclusion.by, until: exclusion.until.toISOString() } };
        });
      }),
    );
    for (const result of results) {
      if (result.outcome === 'included') session.logger.info(`included batch ${result.batch_id}: runs may heal it again`, { batch_id: result.batch_id, by, was: result.was });
      else session.logger.warn(`refused to include batch ${result.batch_id}: ${result.reason}`, { batch_id: result.batch_id, by, refusal: result.reason });
    }
    session.print(
      options.format,
      { command: 'include', by, results },
      results.map((result) =>
        result.outcome === 'included'
          ? `included ${result.batch_id}, by ${by} (it was excluded until ${shownTime(new Date(result.was.until))} by ${result.was.by}: ${result.was.reason})`
          : `refused ${result.batch_id}: ${result.reason}`,
      ),
    );
    return results.every((result) => result.outcome === 'included') ? EXIT_OK : EXIT_FAILED;
  });
}
