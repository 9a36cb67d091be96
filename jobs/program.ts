import { ConfigError, type JobConfig, loadJobConfig } from '../shared/config.js';
import { EXIT_USAGE } from '../shared/exitCodes.js';
import { parseCommandLine, withRunFlags } from './commandLine.js';
import type { ProgramIo } from './programIo.js';
import { scheduledRun } from './scheduledRun.js';

/**
 * The auto-batch-cleanup program: reads the command line (`argv`, the arguments after the
 * program's name) and the configuration in `env`, does what they ask, and returns the exit code.
 */
export async function main(argv: string[], env: Record<string, string | undefined>, io: ProgramIo): Promise<number> {
  const invocation = parseCommandLine(argv, io);
  if (typeof invocation === 'number') return invocation;
  let config: JobConfig;
  try {
    config = loadJobConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`auto-batch-cleanup: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (invocation.command === 'operator') return invocation.work({ config, env, io });
  return scheduledRun(withRunFlags(config, invocation.flags), invocation.flags, env, io);
}
