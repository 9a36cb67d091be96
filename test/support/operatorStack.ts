import type { Firestore } from '@google-cloud/firestore';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { createFirestore } from '../../shared/firestoreClient.js';
import { loadJobConfig } from '../../shared/config.js';
import { HealingEventTable } from '../../shared/healingEventTable.js';
import { emulatorEnv, uniqueSuffix } from './emulators.js';
import { jsonLines, type ProgramResult, runProgram } from './jobProgram.js';

/**
 * The job's program on the local stack for the operator commands' tests: one BigQuery dataset for
 * the file, collections of each test's own, and the scheduled run next to the commands.
 */
export class OperatorStack {
  readonly firestore: Firestore;
  private readonly suffix = uniqueSuffix();

  constructor() {
    this.firestore = createFirestore(loadJobConfig(emulatorEnv(this.suffix)));
  }

  /** Creates the file's BigQuery table, as deploy does. */
  async prepare(): Promise<void> {
    const config = loadJobConfig(emulatorEnv(this.suffix));
    await new HealingEventTable(createBigQuery(config), config.dataset, config.table).ensureExists();
  }

  async close(): Promise<void> {
    await this.firestore.terminate();
  }

  /** Settings with collections of one test's own. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const own = uniqueSuffix();
    return emulatorEnv(this.suffix, { BATCH_COLLECTION: `batches_${own}`, HEALING_COLLECTION: `events_${own}`, USER: 'tester', ...extra });
  }

  /** `auto-batch-cleanup ...args`, in this process. */
  command(env: Record<string, string>, ...args: string[]): Promise<ProgramResult> {
    return runProgram(args, env);
  }

  /** `auto-batch-cleanup ...args` with its clock at `now`. */
  commandAt(now: Date, env: Record<string, string>, ...args: string[]): Promise<ProgramResult> {
    return runProgram(args, env, { now: () => now });
  }

  /** A scheduled run with its clock at `now`; its summary line besides the result. */
  async run(env: Record<string, string>, now: Date, ...args: string[]): Promise<ProgramResult & { summary: Record<string, unknown>; lines: Array<Record<string, unknown>> }> {
    const result = await runProgram(args, env, { now: () => now });
    const lines = jsonLines(result.stdout);
    const summary = lines.find((line) => line.message === 'run summary');
    if (summary === undefined) throw new Error(`the run logged no summary: ${result.stdout}\n${result.stderr}`);
    return { ...result, summary, lines };
  }

  async batch(env: Record<string, string>, id: string): Promise<Record<string, unknown>> {
    return (await this.firestore.collection(env.BATCH_COLLECTION!).doc(id).get()).data() ?? {};
  }

  async event(env: Record<string, string>, healingId: string): Promise<Record<string, unknown>> {
    return (await this.firestore.collection(env.HEALING_COLLECTION!).doc(healingId).get()).data() ?? {};
  }

  /** The healing_id each batch carries now. */
  async healingIds(env: Record<string, string>, ids: string[]): Promise<string[]> {
    return Promise.all(ids.map(async (id) => (await this.batch(env, id)).healing_id as string));
  }
}

/** Standard output's lines. */
export function stdoutLines(result: ProgramResult): string[] {
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** The JSON log lines of standard error. */
export function stderrLog(result: ProgramResult): Array<Record<string, unknown>> {
  return jsonLines(result.stderr);
}
