import { loadJobConfig } from '../shared/config.js';
import { parseCommandLine, withRunFlags } from './commandLine.js';
import type { OperatorCommand } from './operator/operatorCommand.js';

function output() {
  const written = { stdout: '', stderr: '' };
  return { written, io: { stdout: (text: string) => void (written.stdout += text), stderr: (text: string) => void (written.stderr += text) } };
}

/** An operator command as a module under jobs/operator/ would define one. */
const echo: OperatorCommand = {
  register: (program, choose) =>
    program
      .command('echo')
      .description('say the words back')
      .argument('<words...>')
      .option('--loud', 'in capitals')
      .option('--dry-run', 'say what it would say')
      .action((words: string[], options: { loud?: boolean; dryRun?: boolean }) =>
        choose(async ({ io, config }) => {
          const said = options.loud ? words.join(' ').toUpperCase() : words.join(' ');
          io.stdout(`${config.projectId}: ${options.dryRun ? `would say ${said}` : said}\n`);
          return 0;
        }),
      ),
};

describe("the job's command line", () => {
  it('with no command chooses the scheduled run and its flags', () => {
    const { io } = output();
    expect(parseCommandLine(['--dry-run', '--max-heals', '5'], io)).toEqual({ command: 'run', flags: { dryRun: true, maxHeals: 5 } });
    expect(parseCommandLine([], io)).toEqual({ command: 'run', flags: {} });
  });

  it('changes a copy of the configuration for the flags, never the loaded one', () => {
    const loaded = loadJobConfig({ GOOGLE_CLOUD_PROJECT: 'p' });
    const before = structuredClone(loaded);
    expect(withRunFlags(loaded, { dryRun: true, maxHeals: 3 })).toEqual({ ...before, dryRun: true, maxHealsPerRun: 3 });
    expect(withRunFlags(loaded, {})).toEqual(before);
    expect(loaded).toEqual(before);
  });

  describe('with an operator command registered', () => {
    it('hands over the work of its word, with its arguments and options', async () => {
      const { io, written } = output();
      const invocation = parseCommandLine(['echo', 'pause', 'healing', '--loud'], io, [echo]);
      if (typeof invocation === 'number' || invocation.command !== 'operator') throw new Error(`expected the operator command, got ${JSON.stringify(invocation)}`);
      const config = loadJobConfig({ GOOGLE_CLOUD_PROJECT: 'p' });
      expect(await invocation.work({ config, env: {}, io: { ...io, stop: new AbortController().signal } })).toBe(0);
      expect(written.stdout).toBe('p: PAUSE HEALING\n');
    });

    it("takes an option after the command word as the command's own, also one the scheduled run has too (--dry-run)", async () => {
      const { io, written } = output();
      const invocation = parseCommandLine(['echo', 'hi', '--dry-run'], io, [echo]);
      if (typeof invocation === 'number' || invocation.command !== 'operator') throw new Error(`expected the operator command, got ${JSON.stringify(invocation)}`);
      await invocation.work({ config: loadJobConfig({ GOOGLE_CLOUD_PROJECT: 'p' }), env: {}, io: { ...io, stop: new AbortController().signal } });
      expect(written.stdout).toBe('p: would say hi\n');
    });

    it.each([[['help']], [['help', '--help']], [['--help']]])('%j prints the help and exits 0', (argv) => {
      const { io, written } = output();
      expect(parseCommandLine(argv, io, [echo])).toBe(0);
      expect(written.stdout).toMatch(/^Usage: auto-batch-cleanup \[options\] \[command\]\n/);
      expect(written.stderr).toBe('');
    });

    it('help COMMAND prints the help of that command', () => {
      const { io, written } = output();
      expect(parseCommandLine(['help', 'echo'], io, [echo])).toBe(0);
      expect(written.stdout).toMatch(/^Usage: auto-batch-cleanup echo \[options\] <words\.\.\.>\n/);
    });

    it('still takes no command as the scheduled run, and lists the command in its help', () => {
      const { io, written } = output();
      expect(parseCommandLine(['--check'], io, [echo])).toEqual({ command: 'run', flags: { check: true } });
      expect(parseCommandLine(['--help'], io, [echo])).toBe(0);
      expect(written.stdout).toMatch(/^Commands:\n +echo \[options\] <words\.\.\.> +say the words back$/m);
    });

    it.each([
      [['ecko'], 'unknown command "ecko"; the commands are echo'],
      [['ecko', '--loud'], 'unknown command "ecko"; the commands are echo'],
      [['--dry-run', 'ecko'], 'unknown command "ecko"; the commands are echo'],
      [['help', 'ecko'], 'unknown command "ecko"; the commands are echo'],
      [['echo', 'hi', '--quiet'], "unknown option '--quiet'"],
      [['echo'], "missing required argument 'words'"],
    ])('%j is a usage error: exit 2 and one line on stderr', (argv, line) => {
      const { io, written } = output();
      expect(parseCommandLine(argv, io, [echo])).toBe(2);
      expect(written).toEqual({ stdout: '', stderr: `auto-batch-cleanup: ${line}\n` });
    });
  });
});
