import { UsageError } from '../shared/exitCodes.js';
import { toAnalysisRequest, type CommandLineOptions } from './analysisRequest.js';

const now = new Date('2026-03-08T12:34:56.789Z');
const request = (options: CommandLineOptions) => toAnalysisRequest(options, now);

function usageErrorOf(options: CommandLineOptions): UsageError {
  try {
    request(options);
  } catch (error) {
    return error as UsageError;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('analysis request', () => {
  it('defaults to the last 24 hours in UTC, top 5 causes, table format, every type, no export', () => {
    const checked = request({});
    expect(checked.window.start.toISO()).toBe('2026-03-07T12:34:56.789Z');
    expect(checked.window.end.toISO()).toBe('2026-03-08T12:34:56.789Z');
    expect(checked.window.zone).toBe('UTC');
    expect(checked).toMatchObject({ top: 5, format: 'table', healingType: undefined, exportPath: undefined });
  });

  it('reads "YYYY-MM-DD HH:mm" and offset-less ISO 8601 in --tz, on either side of a daylight-saving change', () => {
    const checked = request({ start: '2026-03-07 12:00', end: '2026-03-08T12:00', tz: 'America/New_York' });
    expect(checked.window.start.toUTC().toISO()).toBe('2026-03-07T17:00:00.000Z');
    expect(checked.window.end.toUTC().toISO()).toBe('2026-03-08T16:00:00.000Z');
  });

  it('lets an explicit offset in the time win over --tz, and shows it in the zone', () => {
    const checked = request({ start: '2026-03-01T00:00:00Z', end: '2026-03-02', tz: 'Europe/Berlin' });
    expect(checked.window.start.toISO()).toBe('2026-03-01T01:00:00.000+01:00');
    expect(checked.window.end.toISO()).toBe('2026-03-02T00:00:00.000+01:00');
  });

  it('takes 24 hours before --end when only --end is given', () => {
    const checked = request({ end: '2026-03-02 06:00' });
    expect(checked.window.start.toISO()).toBe('2026-03-01T06:00:00.000Z');
  });

  it('keeps --type exactly as typed, even when it looks like SQL', () => {
    expect(request({ type: "x' OR '1'='1" }).healingType).toBe("x' OR '1'='1");
  });

  it('accepts --format in any case and --top as a whole number', () => {
    expect(request({ format: 'JSON', top: '12' })).toMatchObject({ format: 'json', top: 12 });
  });

  it.each<[string, CommandLineOptions, string]>([
    ['an unparsable --start', { start: 'yesterday' }, '--start "yesterday" is not a date'],
    ['an impossible date', { end: '2026-02-30 10:00' }, '--end "2026-02-30 10:00" is not a date'],
    ['--start after --end', { start: '2026-03-02', end: '2026-03-01' }, 'must be before --end'],
    ['--start equal to --end', { start: '2026-03-01', end: '2026-03-01T00:00' }, 'must be before --end'],
    ['an unknown zone', { tz: 'Mars/Olympus_Mons' }, '--tz "Mars/Olympus_Mons" is not a known IANA time zone'],
    ['--top 0', { top: '0' }, '--top must be a positive whole number, got "0"'],
    ['--top abc', { top: 'abc' }, '--top must be a positive whole number, got "abc"'],
    ['--top -3', { top: '-3' }, '--top must be a positive whole number'],
    ['--top 2.5', { top: '2.5' }, '--top must be a positive whole number'],
    ['an unknown format', { format: 'xml' }, '--format must be table or json, got "xml"'],
    ['an empty --type', { type: ' ' }, '--type must name a healing type'],
    ['an empty --export', { export: '' }, '--export must name a file'],
  ])('refuses %s with a one-line usage error naming the flag', (_case, options, message) => {
    const error = usageErrorOf(options);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('analysis request window against now', () => {
  it('says "now" when a --start in the future meets the default end', () => {
    expect(() => toAnalysisRequest({ start: '2026-03-09' }, new Date('2026-03-08T00:00:00Z'))).toThrow('--start (2026-03-09T00:00:00.000Z) must be before now');
  });

  it('ends a --last window now and starts it that long before', () => {
    const checked = request({ last: '90m', tz: 'Europe/Berlin' });
    expect(checked.window.end.toUTC().toISO()).toBe('2026-03-08T12:34:56.789Z');
    expect(checked.window.start.toUTC().toISO()).toBe('2026-03-08T11:04:56.789Z');
  });

  it.each<[CommandLineOptions, string]>([
    [{ last: '7d', start: '2026-03-01' }, '--last cannot be combined with --start'],
    [{ last: '7d', end: '2026-03-01' }, '--last cannot be combined with --end'],
    [{ last: '7 days' }, '--last must be a positive whole number followed by m, h, d or w'],
    [{ last: '9999w' }, '--last can reach back at most 3660 days, got "9999w"'],
  ])('refuses %j', (options, message) => {
    const error = usageErrorOf(options);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(message);
  });

  it('puts the previous window of the same length right before the window with --compare', () => {
    const checked = request({ start: '2026-03-07 12:00', end: '2026-03-08 12:00', tz: 'America/New_York', compare: true });
    expect(checked.previousWindow!.end.toMillis()).toBe(checked.window.start.toMillis());
    expect(checked.previousWindow!.start.toUTC().toISO()).toBe('2026-03-06T18:00:00.000Z');
    expect(request({}).previousWindow).toBeUndefined();
  });
});
