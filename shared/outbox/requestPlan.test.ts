import { INSERT_LIMITS, planRequests } from './requestPlan.js';

const MB = 1024 * 1024;

describe('insert requests sized by bytes', () => {
  it('puts twelve rows of 900 KB into two requests under 9 MiB, in order', () => {
    const plan = planRequests(Array.from({ length: 12 }, () => 900_000));
    expect(plan.tooLarge).toEqual([]);
    expect(plan.requests).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11]]);
  });

  it('keeps every request, envelope and commas included, at or under the byte limit', () => {
    const sizes = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 997) * 1000 + 5);
    const envelope = 100;
    const plan = planRequests(sizes, INSERT_LIMITS, envelope);
    for (const request of plan.requests) {
      const bytes = envelope + request.reduce((sum, index) => sum + sizes[index]!, 0) + request.length - 1;
      expect(bytes).toBeLessThanOrEqual(INSERT_LIMITS.maxBytes);
    }
    expect(plan.requests.flat()).toEqual(sizes.map((_, i) => i));
  });

  it('never puts more than 500 rows in a request, however small', () => {
    const plan = planRequests(Array.from({ length: 1_201 }, () => 300));
    expect(plan.requests.map((request) => request.length)).toEqual([500, 500, 201]);
  });

  it('lists apart a row that cannot fit a request on its own, and still plans the others', () => {
    const plan = planRequests([1_000, 10 * MB, 2_000], { maxBytes: 9 * MB, maxRows: 500 });
    expect(plan.tooLarge).toEqual([1]);
    expect(plan.requests).toEqual([[0, 2]]);
  });

  it('plans no request for no rows', () => {
    expect(planRequests([])).toEqual({ requests: [], tooLarge: [] });
  });
});
