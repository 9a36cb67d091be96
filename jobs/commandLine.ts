import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { JobConfig } from '../shared/config.js';
import { EXIT_OK, EXIT_USAGE } from '../shared/exitCodes.js';
import { OPERATOR_COMMANDS } from './operator/commands.js';
import type { OperatorCommand, OperatorWork } from './operator/operatorCommand.js';
import { positiveIntegerOption } from './operator/operatorOptions.js';
import type { ProgramIo } from './programIo.js';

/** Flags of the scheduled run. */
export interface RunFlags {
  dryRun?: boolean;
  maxHeals?: number;
  check?: boolean;
  checkConfig?: boolean;
}

/** What the command line asked for: the scheduled run (no command), or an operator command's work. */
export type Invocation = { command: 'run'; flags: RunFlags } | { command: 'operator'; work: OperatorWork };

/**
 * Reads the arguments after the program's name. Help and version are written to stdout and a
 * usage error as one line to stderr; both come back as the exit code.
 */
export function parseCommandLine(argv: string[], io: Pick<ProgramIo, 'stdout' | 'stderr'>, operators: readonly OperatorCommand[] = OPERATOR_COMMANDS): Invocation | number {
  let invocation: Invocation | undefined;
  const program = new Command('auto-batch-cleanup')
    .description('Find prediction batches stalled near the end, complete them safely, and record every heal.')
    .version(packageJson.version)
    .option('--dry-run', 'find and report stalled batches, change nothing (DRY_RUN)')
    .addOption(positiveIntegerOption('--max-heals <n>', 'safety brake: heal none when more batches qualify (MAX_HEALS_PER_RUN)'))
    .option('--check', "check the deployment: run every query the job makes (limit one) and check the BigQuery table; writes nothing")
    .option('--check-config', 'check the settings in the environment and exit: 0 when the job would accept them, 2 naming the first bad one')
    .helpCommand(true)
    // The scheduled run's options only before a command word, so `undo --dry-run` is the command's own.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => undefined })
    .action((flags: RunFlags) => {
      // A word that names no command reaches the scheduled run, which takes none.
      const [word] = program.args;
      if (word !== undefined) program.error(unknownCommand(word, program), { exitCode: EXIT_USAGE, code: 'commander.unknownCommand' });
      invocation = { command: 'run', flags };
    });
  for (const operator of operators) operator.register(program, (work) => (invocation = { command: 'operator', work }));
  // After the operators, so their own commands keep refusing arguments they do not take.
  program.allowExcessArguments();
  try {
    program.parse(commandWords(argv, program), { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return EXIT_OK;
    io.stderr(`auto-batch-cleanup: ${error.message.replace(/^error: /, '')}\n`);
    return EXIT_USAGE;
  }
  if (invocation === undefined) throw new Error('the command line chose nothing to run');
  return invocation;
}

/** The configuration a scheduled run uses: the loaded one, changed by its flags, left as it was. */
export function withRunFlags(config: JobConfig, flags: RunFlags): JobConfig {
  return {
    ...config,
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(flags.maxHeals === undefined ? {} : { maxHealsPerRun: flags.maxHeals }),
  };
}

/**
 * The arguments with the first word checked: it names a command (checked before the options, which
 * belong to the command it names), and `help [COMMAND]` asks for that command's --help.
 */
function commandWords(argv: string[], program: Command): string[] {
  const isCommand = (word: string) => program.commands.some((command) => command.name() === word);
  const [first, second] = argv;
  if (first === 'help') {
    if (second === undefined || second.startsWith('-')) return ['--help'];
    if (isCommand(second)) return [second, '--help'];
    program.error(unknownCommand(second, program), { exitCode: EXIT_USAGE, code: 'commander.unknownCommand' });
  }
  if (first !== undefined && !first.startsWith('-') && !isCommand(first)) program.error(unknownCommand(first, program), { exitCode: EXIT_USAGE, code: 'commander.unknownCommand' });
  return argv;
}

function unknownCommand(word: string, program: Command): string {
  const names = program.commands.map((command) => command.name());
  return names.length === 0 ? `unknown command "${word}"; the scheduled run takes options only` : `unknown command "${word}"; the commands are ${names.join(', ')}`;
}
