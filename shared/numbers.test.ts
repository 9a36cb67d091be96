import { decimalNumber, describeRange, inRange, numberOption, parsePositiveInteger, wholeNumber } from './numbers.js';

describe('numbers written as text', () => {
  it.each([
    ['15', 15],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['+3.', 3],
  ])('reads %j as the decimal %d', (text, value) => {
    expect(decimalNumber(text)).toBe(value);
  });

  it.each(['1e3', '0x10', 'soon', '', ' 5', 'Infinity'])('takes %j for no decimal number', (text) => {
    expect(decimalNumber(text)).toBeNaN();
  });

  it('reads whole numbers in digits only, and none past the integers a double holds exactly', () => {
    expect(wholeNumber('25')).toBe(25);
    expect(wholeNumber(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const text of ['2.5', '-3', '1e2', '99999999999999999999']) expect(wholeNumber(text)).toBeNaN();
  });
});

describe('ranges', () => {
  it('keep their bounds, an exclusive minimum left out', () => {
    const pct = { min: 0, max: 100, exclusiveMin: true };
    expect([0, 0.1, 100, 100.1].map((value) => inRange(value, pct))).toEqual([false, true, true, false]);
    expect([0.5, 1, NaN, Infinity].map((value) => inRange(value, { min: 0, whole: true }))).toEqual([false, true, false, false]);
  });

  it('are said in words', () => {
    expect(describeRange({ min: 0, max: 100, exclusiveMin: true })).toBe('above 0 and at most 100');
    expect(describeRange({ min: 1 })).toBe('at least 1');
  });
});

describe('a positive whole number on the command line', () => {
  it('is read with spaces around it', () => {
    expect(parsePositiveInteger(' 7 ', '--max-heals')).toBe(7);
  });

  it.each(['0', 'abc', '-3', '2.5', ''])('refuses %j naming the flag', (text) => {
    expect(() => parsePositiveInteger(text, '--max-heals')).toThrow(`--max-heals must be a positive whole number, got "${text}"`);
  });
});

describe('a numeric option of an API', () => {
  it('takes its default when absent and the value given when in range', () => {
    expect(numberOption(undefined, 'batchSize', 250, { min: 1 })).toBe(250);
    expect(numberOption(0, 'flushIntervalMs', 1_000, { min: 0 })).toBe(0);
  });

  it('refuses a value below its minimum, or not whole when it must be, naming the option', () => {
    expect(() => numberOption(0, 'batchSize', 250, { min: 1 })).toThrow(new RangeError('batchSize must be a number of at least 1, got 0'));
    expect(() => numberOption(1.5, 'maxAttempts', 3, { min: 1, whole: true })).toThrow(new RangeError('maxAttempts must be a whole number of at least 1, got 1.5'));
    expect(() => numberOption(NaN, 'writeTimeoutMs', 10_000, { min: 1 })).toThrow('writeTimeoutMs must be a number of at least 1, got NaN');
  });
});
