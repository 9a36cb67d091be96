import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { EXIT_OK } from '../../shared/exitCodes.js';
import { controlCollection, PAUSE_DOCUMENT } from '../control/controlCollection.js';
import { activePause } from '../control/healingControl.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { actorName, byOption, formatOption } from './operatorOptions.js';
import { withFirestore, type OutputFormat } from './operatorSession.js';
import { describePause, pauseJson } from './pauseDocument.js';

interface ResumeOptions {
  by?: string;
  format: OutputFormat;
}

/** `auto-batch-cleanup resume`: the next scheduled run heals again. */
export const resumeCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('resume')
      .description('end a pause: the next run heals again')
      .addOption(byOption())
      .addOption(formatOption())
      .action((options: ResumeOptions) => choose((context) => resume(context, options)));
  },
};

async function resume(context: OperatorContext, options: ResumeOptions): Promise<number> {
  return withFirestore(context, async (session) => {
    const document = controlCollection(session.firestore, session.config.healingCollection).doc(PAUSE_DOCUMENT);
    const now = session.now();
    const earlier = activePause((await session.answer(document.get())).data(), now);
    const by = actorName(options.by, context.env);
    await session.answer(
      document.set({ paused: false, by, at: Timestamp.fromDate(now), reason: FieldValue.delete(), until: FieldValue.delete(), warned_at: FieldValue.delete() }, { merge: true }),
    );
    const was = earlier === undefined ? null : pauseJson(earlier);
    session.logger.info(earlier === undefined ? 'resumed healing; it was not paused' : 'resumed healing', { paused: false, by, at: now.toISOString(), was });
    session.print(options.format, { command: 'resume', paused: false, by, at: now.toISOString(), was }, [
      earlier === undefined ? `healing was not paused; it stays on (recorded the resume by ${by})` : `resumed healing, by ${by} (it was paused ${describePause(earlier)})`,
    ]);
    return EXIT_OK;
  });
}
