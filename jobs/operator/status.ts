import { givenVerdictQuery } from '../../shared/alerts/PatternDetector.js';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import { EXIT_OK } from '../../shared/exitCodes.js';
import { VERDICTS, type VerdictKind } from '../../shared/outbox/verdictDocument.js';
import { activeExclusionsQuery, controlCollection, PAUSE_DOCUMENT } from '../control/controlCollection.js';
import { activePause, type Exclusion, readExclusion } from '../control/healingControl.js';
import type { OperatorCommand, OperatorContext } from './operatorCommand.js';
import { formatOption, shownTime } from './operatorOptions.js';
import { withFirestore, type OutputFormat } from './operatorSession.js';
import { describePause, pauseJson } from './pauseDocument.js';

const DAY_MS = 24 * 3_600_000;

/** `auto-batch-cleanup status`: the pause, the exclusions in force and the verdicts of the last 24 hours, from Firestore. */
export const statusCommand: OperatorCommand = {
  register(program, choose) {
    program
      .command('status')
      .description('show whether healing is paused, the batches excluded, and the verdicts of the last 24 hours (from Firestore)')
      .addOption(formatOption())
      .action((options: { format: OutputFormat }) => choose((context) => status(context, options)));
  },
};

async function status(context: OperatorContext, options: { format: OutputFormat }): Promise<number> {
  return withFirestore(context, async (session) => {
    const { firestore, config } = session;
    const now = session.now();
    const control = controlCollection(firestore, config.healingCollection);
    const events = firestore.collection(config.healingCollection);
    const since = new Date(now.getTime() - DAY_MS);
    const [pauseSnapshot, exclusionSnapshot, ...counts] = await Promise.all([
      session.answer(control.doc(PAUSE_DOCUMENT).get()),
      session.answer(activeExclusionsQuery(control, now).get()),
      ...VERDICTS.map((verdict) => session.answer(givenVerdictQuery(events, BATCH_CLEANUP, verdict, since).count().get())),
    ]);
    const pause = activePause(pauseSnapshot.data(), now);
    const exclusions = exclusionSnapshot.docs.map((doc) => readExclusion(doc.data())).filter((exclusion): exclusion is Exclusion => exclusion !== undefined);
    exclusions.sort((a, b) => a.batchId.localeCompare(b.batchId));
    const verdicts = Object.fromEntries(VERDICTS.map((verdict, index) => [verdict, counts[index]!.data().count])) as Record<VerdictKind, number>;
    session.logger.debug('read the status', { paused: pause !== undefined, exclusions: exclusions.length, verdicts });
    session.print(
      options.format,
      {
        command: 'status',
        at: now.toISOString(),
        paused: pause !== undefined,
        pause: pause === undefined ? null : pauseJson(pause),
        exclusions: exclusions.map((exclusion) => ({ batch_id: exclusion.batchId, reason: exclusion.reason, by: exclusion.by, at: exclusion.at?.toISOString() ?? null, until: exclusion.until.toISOString() })),
        verdicts_last_24h: { since: since.toISOString(), ...verdicts },
      },
      [
        pause === undefined ? 'healing: on' : `healing: PAUSED ${describePause(pause)}`,
        `excluded batches: ${exclusions.length}`,
        ...exclusions.map((exclusion) => `  ${exclusion.batchId} until ${shownTime(exclusion.until)}, by ${exclusion.by}: ${exclusion.reason}`),
        `verdicts in the last 24 hours: ${VERDICTS.map((verdict) => `${verdict} ${verdicts[verdict]}`).join(', ')}`,
      ],
    );
    return EXIT_OK;
  });
}
