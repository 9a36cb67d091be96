import { buildReport } from '../analysis/healingReport.js';
import { toAnalysisRequest } from '../analysisRequest.js';
import { planBuckets } from '../timeWindow.js';
import { renderJson } from './renderJson.js';

describe('JSON rendering', () => {
  it('is one JSON document with the spec keys, ending in a newline', () => {
    const request = toAnalysisRequest({ start: '2026-03-01', end: '2026-03-02' }, new Date());
    const text = renderJson(buildReport(request, planBuckets(request.window), []));
    expect(text.endsWith('}\n')).toBe(true);
    const document = JSON.parse(text);
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['window', 'totals', 'by_type', 'top_causes', 'trend', 'recommendations']));
    expect(document.window).toMatchObject({ start: '2026-03-01T00:00:00Z', end: '2026-03-02T00:00:00Z', tz: 'UTC' });
    expect(document.totals).toEqual({ events: 0, successes: 0, failures: 0, success_rate: null });
  });
});
