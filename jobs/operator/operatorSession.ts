import type { Firestore } from '@google-cloud/firestore';
import { Status } from 'google-gax';
import { createFirestore } from '../../shared/firestoreClient.js';
import { EXIT_FAILED } from '../../shared/exitCodes.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { TIMED_OUT, within } from '../../shared/timeLimit.js';
import { closeQuietly, explainFailure } from '../firestoreFailure.js';
import type { OperatorContext } from './operatorCommand.js';

/**
 * How long one Firestore call of an operator command may take. The client retries an unreachable
 * server for minutes; a person at a terminal gets one line instead.
 */
export const ANSWER_TIMEOUT_MS = 20_000;

/** How an operator command prints its outcome: a line per item, or one JSON document. */
export type OutputFormat = 'table' | 'json';

/** What an operator command works with. */
export interface OperatorSession extends OperatorContext {
  firestore: Firestore;
  /** JSON lines on standard error: what the command did. */
  logger: Logger;
  now: () => Date;
  /** The answer of a Firestore call, or a failure (unreachable) when it has not come within ANSWER_TIMEOUT_MS. */
  answer<T>(call: Promise<T>): Promise<T>;
  /** Prints the outcome on standard output: `lines` as a table, or `document` alone as JSON. */
  print(format: OutputFormat, document: Record<string, unknown>, lines: string[]): void;
}

/**
 * Runs an operator command's work with a Firestore client and a logger, and returns its exit code.
 * Firestore failing ends the command with one line on standard error and exit 1.
 */
export async function withFirestore(context: OperatorContext, work: (session: OperatorSession) => Promise<number>): Promise<number> {
  const { config, env, io } = context;
  const logger = createLogger({ level: config.logLevel, write: io.stderr });
  const firestore = createFirestore(config);
  let silent = false;
  const session: OperatorSession = {
    ...context,
    firestore,
    logger,
    now: io.now ?? (() => new Date()),
    async answer(call) {
      const answered = await within(call, ANSWER_TIMEOUT_MS, { unref: true });
      if (answered !== TIMED_OUT) return answered;
      silent = true;
      throw new FirestoreSilence();
    },
    print(format, document, lines) {
      if (format === 'json') io.stdout(`${JSON.stringify(document)}\n`);
      else for (const line of lines) io.stdout(`${line}\n`);
    },
  };
  try {
    return await work(session);
  } catch (error) {
    io.stderr(`auto-batch-cleanup: ${explainFailure(error, config, env)}\n`);
    return EXIT_FAILED;
  } finally {
    // A client still retrying calls to a server that is gone is left to the process exit.
    if (!silent) await closeQuietly(firestore, logger);
  }
}

/** No answer from Firestore in time: reported like an unreachable server. */
class FirestoreSilence extends Error {
  override name = 'FirestoreSilence';
  readonly code = Status.DEADLINE_EXCEEDED;

  constructor() {
    super(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
  }
}
