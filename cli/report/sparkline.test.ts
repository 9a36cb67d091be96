import { bucketsPerCharacter, sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('draws one character per bucket, the peak full and empty buckets flat', () => {
    expect(sparkline([0, 1, 7, 0, 14])).toBe('▁▂▅▁█');
  });

  it('draws an all-empty series flat', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
  });

  it('sums neighbouring buckets when the series is wider than the limit', () => {
    expect(bucketsPerCharacter(120, 48)).toBe(3);
    expect(sparkline([1, 1, 0, 0, 0, 4], 3)).toBe('▅▁█');
  });
});
