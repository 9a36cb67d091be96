import type { Command } from 'commander';
import type { JobConfig } from '../../shared/config.js';
import type { ProgramIo } from '../programIo.js';

/** What an operator command is given once the command line has chosen it. */
export interface OperatorContext {
  /** The job's configuration, read from the environment as for a scheduled run. */
  config: JobConfig;
  env: Record<string, string | undefined>;
  io: ProgramIo;
}

/** The work an operator command does; resolves to the exit code. */
export type OperatorWork = (context: OperatorContext) => Promise<number>;

/** A command for people at a terminal (`auto-batch-cleanup pause ...`): one module each, listed in commands.ts. */
export interface OperatorCommand {
  /**
   * Adds the subcommand to `program` (its name, arguments, options and help) with an action that
   * hands `choose` the work to do with the arguments it was given.
   */
  register(program: Command, choose: (work: OperatorWork) => void): void;
}
