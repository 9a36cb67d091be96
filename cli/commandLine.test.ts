import packageJson from '../package.json' with { type: 'json' };
import { UsageError } from '../shared/exitCodes.js';
import { parseCommandLine } from './commandLine.js';

function parse(argv: string[]) {
  let out = '';
  const parsed = parseCommandLine(argv, (text) => (out += text));
  return { parsed, out };
}

describe('command line', () => {
  it('hands every flag over as typed', () => {
    const argv = ['--start', '2026-03-01', '--end', '2026-03-02 10:00', '--type', 'retry', '--tz', 'UTC', '--top', '3', '--format', 'json', '--export', 'x.csv'];
    expect(parse(argv).parsed).toEqual({
      kind: 'run',
      options: { start: '2026-03-01', end: '2026-03-02 10:00', type: 'retry', tz: 'UTC', top: '3', format: 'json', export: 'x.csv' },
    });
  });

  it('answers --version with the package version and --help with every flag', () => {
    expect(parse(['--version'])).toEqual({ parsed: { kind: 'answered' }, out: `${packageJson.version}\n` });
    const help = parse(['--help']);
    expect(help.parsed).toEqual({ kind: 'answered' });
    for (const flag of ['--start', '--end', '--type', '--tz', '--top', '--format', '--export', '--help', '--version']) expect(help.out).toContain(flag);
  });

  it.each([
    [['--frmat', 'json'], "unknown option '--frmat'"],
    [['--start'], "option '--start <time>' argument missing"],
    [['yesterday'], 'too many arguments'],
  ])('turns commander complaint %j into a one-line usage error', (argv, message) => {
    let error: unknown;
    try {
      parse(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
