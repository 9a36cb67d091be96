import { alertLevel, prematureAlert } from './alertLevel.js';

const quiet = { lastHour: 0, lastDay: 0, failuresLastDay: 0 };

describe('alert level from recent healing counts', () => {
  it('stays quiet at 2 events in an hour and turns yellow at 3', () => {
    expect(alertLevel({ ...quiet, lastHour: 2, lastDay: 2 })).toBeNull();
    expect(alertLevel({ ...quiet, lastHour: 3, lastDay: 3 })).toBe('yellow');
  });

  it('is not red at 9 events in a day and is red at 10', () => {
    expect(alertLevel({ ...quiet, lastHour: 0, lastDay: 9 })).toBeNull();
    expect(alertLevel({ ...quiet, lastHour: 0, lastDay: 10 })).toBe('red');
  });

  it('is not critical at exactly 20% failures and is critical just over 20% with 5 or more events', () => {
    expect(alertLevel({ lastHour: 0, lastDay: 5, failuresLastDay: 1 })).toBeNull();
    expect(alertLevel({ lastHour: 0, lastDay: 10, failuresLastDay: 2 })).toBe('red');
    expect(alertLevel({ lastHour: 0, lastDay: 9, failuresLastDay: 2 })).toBe('critical');
    expect(alertLevel({ lastHour: 0, lastDay: 5, failuresLastDay: 2 })).toBe('critical');
  });

  it('is never critical with fewer than 5 events, even when all failed', () => {
    expect(alertLevel({ lastHour: 4, lastDay: 4, failuresLastDay: 4 })).toBe('yellow');
    expect(alertLevel({ lastHour: 1, lastDay: 4, failuresLastDay: 4 })).toBeNull();
  });

  it('reports the highest level reached', () => {
    expect(alertLevel({ lastHour: 5, lastDay: 12, failuresLastDay: 0 })).toBe('red');
    expect(alertLevel({ lastHour: 5, lastDay: 12, failuresLastDay: 6 })).toBe('critical');
  });
});

describe('the premature alert from verdicts', () => {
  const verdicts = (held: number, premature: number) => ({ held, premature, latePlayers: 0 });

  it('needs a rate above 10%: 1 of 10 is not enough, 1 of 9 is', () => {
    expect(prematureAlert(verdicts(9, 1))).toBe(false);
    expect(prematureAlert(verdicts(8, 1))).toBe(true);
  });

  it('needs at least 5 held or premature verdicts, whatever the rate', () => {
    expect(prematureAlert(verdicts(0, 4))).toBe(false);
    expect(prematureAlert(verdicts(0, 5))).toBe(true);
    expect(prematureAlert(verdicts(0, 0))).toBe(false);
  });
});
