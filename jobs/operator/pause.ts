import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { EXIT_OK } from '../../shared/exitCodes.js';
import { controlCollection, PAUSE_DOCUMENT } from '../control/controlCollection.js';
import { activePause } from '../control/healingControl.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { actorName, byOption, formatOption, forOption, reasonOption, shownTime } from './operatorOptions.js';
import { withFirestore, type OutputFormat } from './operatorSession.js';
import { describePause, pauseJson } from './pauseDocument.js';

interface PauseOptions {
  reason: string;
  for?: number;
  by?: string;
  format: OutputFormat;
}

/** `auto-batch-cleanup pause --reason TEXT [--for DURATION]`: scheduled runs heal nothing until resumed or until the time is up. */
export const pauseCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('pause')
      .description('pause healing: runs heal nothing (they still give verdicts, export and alert) until resume, or until --for has passed')
      .addOption(reasonOption('why healing is paused; runs log it'))
      .addOption(forOption('end the pause by itself after DURATION (90m, 6h, 2d); default until resume'))
      .addOption(byOption())
      .addOption(formatOption())
      .action((options: PauseOptions) => choose((context) => pause(context, options)));
  },
};

async function pause(context: OperatorContext, options: PauseOptions): Promise<number> {
  return withFirestore(context, async (session) => {
    const document = controlCollection(session.firestore, session.config.healingCollection).doc(PAUSE_DOCUMENT);
    const now = session.now();
    const earlier = activePause((await session.answer(document.get())).data(), now);
    const by = actorName(options.by, context.env);
    const until = options.for === undefined ? null : new Date(now.getTime() + options.for * 60_000);
    // Merged, so other fields of the document stay; an earlier pause's end and warning go.
    await session.answer(
      document.set(
        { paused: true, reason: options.reason, by, at: Timestamp.fromDate(now), until: until === null ? FieldValue.delete() : Timestamp.fromDate(until), warned_at: FieldValue.delete() },
        { merge: true },
      ),
    );
    const fields = { paused: true, reason: options.reason, by, at: now.toISOString(), until: until?.toISOString() ?? null };
    session.logger.info(`paused healing ${until === null ? 'until resumed' : `until ${until.toISOString()}`}`, { ...fields, replaced: earlier === undefined ? null : pauseJson(earlier) });
    session.print(options.format, { command: 'pause', ...fields, replaced: earlier === undefined ? null : pauseJson(earlier) }, [
      `paused healing ${until === null ? 'until resumed' : `until ${shownTime(until)}`}, by ${by}: ${options.reason}${earlier === undefined ? '' : ` (replaces the pause ${describePause(earlier)})`}`,
    ]);
    return EXIT_OK;
  });
}
