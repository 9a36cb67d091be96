import { DurationError, MAX_DURATION_DAYS, parseDuration } from './duration.js';

describe('DURATION', () => {
  it.each([
    ['90m', 90],
    ['24h', 1440],
    ['7d', 10080],
    ['2w', 20160],
    [' 1h ', 60],
    [`${MAX_DURATION_DAYS}d`, MAX_DURATION_DAYS * 1440],
  ])('reads %s as %i minutes', (text, minutes) => {
    expect(parseDuration(text, '--last')).toBe(minutes);
  });

  it.each(['0h', '-1d', '1.5h', '7', 'd', '7D', '7 d', '1y', '', '99999999999999999999d'])('refuses "%s" with one line naming the flag and the forms it takes', (text) => {
    expect(() => parseDuration(text, '--for')).toThrow(DurationError);
    expect(() => parseDuration(text, '--for')).toThrow(/^--for must be a positive whole number followed by m, h, d or w \(90m, 24h, 7d, 2w\), got "[^\n]*"$/);
  });

  it.each(['9999w', `${MAX_DURATION_DAYS + 1}d`])('refuses "%s" as longer than the longest it takes', (text) => {
    expect(() => parseDuration(text, '--for')).toThrow(new DurationError(`--for can be at most ${MAX_DURATION_DAYS} days, got "${text}"`, true));
  });
});
