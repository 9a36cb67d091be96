import { changeText, compareText, count, describeLength, describeMinutes, percent, span } from './wording.js';

describe('wording', () => {
  it('names window lengths for sentences', () => {
    expect([90, 60, 1440, 2880, 10080, 20160].map((minutes) => describeLength(minutes * 60_000))).toEqual([
      '90 minutes',
      'hour',
      '24 hours',
      '2 days',
      '7 days',
      '14 days',
    ]);
  });

  it('gives minutes below two hours, hours and minutes below two days, days beyond', () => {
    expect([12.54, 119.9, 120, 185, 2879, 2880, 3024].map(describeMinutes)).toEqual(['12.5 min', '119.9 min', '2 h 00 min', '3 h 05 min', '47 h 59 min', '2 days', '2.1 days']);
  });

  it('writes a change with its sign, thousands separated, and "new" when there was none before', () => {
    expect(
      [
        { change: 4, change_pct: 40 },
        { change: -6, change_pct: -50 },
        { change: 3, change_pct: null },
        { change: 1200, change_pct: 1200 },
        { change: 0, change_pct: 0 },
      ].map(changeText),
    ).toEqual(['+4 (+40.0%)', '-6 (-50.0%)', '+3 (new)', '+1,200 (+1200.0%)', '0']);
  });

  it('rounds rates to one decimal, spans to hours then days, and counts with separators', () => {
    expect([percent(1199 / 1200), percent(0.5), span(24), span(47.5), span(48), span(168), count(1234567)]).toEqual(['99.9%', '50.0%', '24 h', '47.5 h', '2 days', '7 days', '1,234,567']);
  });

  it('orders text by code point whatever the locale', () => {
    expect(['b', 'B', 'a', 'Ä', 'A'].sort(compareText)).toEqual(['A', 'B', 'a', 'b', 'Ä']);
  });
});
