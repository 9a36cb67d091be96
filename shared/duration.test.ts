import { UsageError } from './exitCodes.js';
import { parseLastDuration } from './duration.js';

describe('--last duration', () => {
  it.each([
    ['90m', 90],
    ['24h', 1440],
    ['7d', 10080],
    ['2w', 20160],
    [' 1h ', 60],
  ])('reads %s as %i minutes', (text, minutes) => {
    expect(parseLastDuration(text)).toBe(minutes);
  });

  it.each(['0h', '-1d', '1.5h', '7', 'd', '7D', '7 d', '1y', '', '99999999999999999999d', '9999w'])('refuses "%s" with one line naming --last', (text) => {
    expect(() => parseLastDuration(text)).toThrow(UsageError);
    expect(() => parseLastDuration(text)).toThrow(/^--last [^\n]+$/);
  });
});
