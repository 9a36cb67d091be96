import { Command, CommanderError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { UsageError } from '../shared/exitCodes.js';
import { DEFAULT_TOP, DEFAULT_ZONE, type CommandLineOptions } from './analysisRequest.js';

export type ParsedCommandLine = { kind: 'run'; options: CommandLineOptions } | { kind: 'answered' };

/**
 * Reads the flags with commander. `--help` and `--version` write to `writeOut` and answer;
 * commander's own complaints (unknown flag, missing value) become one-line UsageErrors.
 */
export function parseCommandLine(argv: readonly string[], writeOut: (text: string) => void): ParsedCommandLine {
  const program = new Command('analyze-healing')
    .description('How often each kind of self-healing happened in a time window, whether it worked, and why it was needed.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addOption(new Option('--start <time>', 'window start, included: ISO 8601 or "YYYY-MM-DD HH:mm" in --tz (default: 24 hours before --end)'))
    .addOption(new Option('--end <time>', 'window end, excluded (default: now)'))
    .addOption(new Option('--type <healing_type>', 'only this healing type, e.g. batch_cleanup'))
    .addOption(new Option('--tz <zone>', `IANA time zone for reading and showing times and for daily buckets (default: ${DEFAULT_ZONE})`))
    .addOption(new Option('--top <n>', `how many root causes to list (default: ${DEFAULT_TOP})`))
    .addOption(new Option('--format <format>', 'table or json (default: table)'))
    .addOption(new Option('--last <duration>', 'a window ending now: 90m, 24h, 7d, 2w (not with --start or --end)'))
    .addOption(new Option('--compare', 'also show the previous window of the same length and what changed'))
    .addOption(new Option('--export <file.csv>', 'also write every event of the window to this CSV file'))
    .addOption(new Option('--html <file.html>', 'also write the report with charts to this self-contained HTML page'))
    .addOption(new Option('--slack', 'also post the report as a digest to SLACK_WEBHOOK_URL'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  analyze-healing                                   the last 24 hours, all types',
        '  analyze-healing --start "2026-03-01 00:00" --end "2026-03-08 00:00" --tz America/New_York',
        '  analyze-healing --type batch_cleanup --format json',
        '  analyze-healing --start 2026-03-01 --export healing.csv',
        '  analyze-healing --last 7d --compare --html healing.html',
        '  analyze-healing --last 24h --compare --slack      the daily digest',
        '',
        'Reads GOOGLE_CLOUD_PROJECT, HEALING_DATASET, HEALING_TABLE and BIGQUERY_EMULATOR_HOST;',
        'with --slack also SLACK_WEBHOOK_URL and SLACK_DEADLINE_SECONDS (default 15).',
        'Exit codes: 0 done (also when there were no events), 1 BigQuery or Slack failed, 2 bad flag or configuration.',
      ].join('\n'),
    )
    .exitOverride()
    .configureOutput({ writeOut, writeErr: () => {}, outputError: () => {} });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { kind: 'answered' };
      throw new UsageError(`${error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}; see --help`);
    }
    throw error;
  }
  return { kind: 'run', options: program.opts<CommandLineOptions>() };
}
