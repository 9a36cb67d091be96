import { clip } from './clip.js';

describe('clip', () => {
  it('leaves text within the limit as it is', () => {
    expect(clip('short enough', 12)).toBe('short enough');
  });

  it('cuts to the limit with an ellipsis saying how many characters were cut', () => {
    const clipped = clip('x'.repeat(5000), 3000);
    expect(clipped).toHaveLength(3000);
    expect(clipped).toMatch(/^x+… \(2,\d{3} characters cut\)$/);
    const kept = clipped.indexOf('…');
    expect(clipped).toContain(`(${(5000 - kept).toLocaleString('en-US')} characters cut)`);
  });

  it('names what was shortened when asked', () => {
    expect(clip('a'.repeat(700), 100, { noun: 'reason' })).toMatch(/^a+… \(reason shortened, 6\d\d characters cut\)$/);
  });

  it('never ends inside an escaped entity', () => {
    const escaped = '&lt;'.repeat(100);
    for (let max = 40; max < 60; max += 1) {
      const clipped = clip(escaped, max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped.slice(0, clipped.indexOf('…'))).toMatch(/^(&lt;)*$/);
    }
  });

  it('never splits an emoji in two', () => {
    for (let max = 30; max < 40; max += 1) {
      const clipped = clip('🔥'.repeat(50), max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it('stays within a limit too small for the note', () => {
    expect(clip('abcdefghij', 4)).toBe('abc…');
  });

  it('stays within the limit where the count gains a digit as the cut grows', () => {
    for (let length = 1000; length < 1020; length += 1) {
      const text = `${'a'.repeat(length - 20)}${'&amp;'.repeat(4)}`;
      for (const max of [25, 26, 27, 28, 29, 30]) expect(clip(text, max).length).toBeLessThanOrEqual(max);
    }
  });
});
