import { toAnalysisRequest } from '../analysisRequest.js';
import { planBuckets } from '../timeWindow.js';
import { analysisStatement } from './analysisQuery.js';
import { exportStatement } from './exportQuery.js';

const hostile = "x' OR '1'='1'; DROP TABLE healing_events; --";
const table = '`local-healing.healing_test.healing_events`';

describe('analysis query', () => {
  const request = toAnalysisRequest({ start: '2026-03-01', end: '2026-03-10', type: hostile, tz: 'America/New_York', top: '7' }, new Date());
  const statement = analysisStatement(request, planBuckets(request.window), table);

  it('carries every user value as a parameter, never in the SQL text', () => {
    expect(statement.query).not.toContain(hostile);
    expect(statement.query).not.toContain('America/New_York');
    expect(statement.query).not.toContain('2026');
    expect(statement.params).toMatchObject({ healing_type: hostile, tz: 'America/New_York', top: '7' });
    expect(statement.types).toEqual({ top: 'INT64' });
  });

  it('filters on the partition column and the clustering column', () => {
    expect(statement.query).toContain('WHERE timestamp >= @range_start AND timestamp < @end AND healing_type = @healing_type');
    expect(statement.params.range_start).toEqual(new Date('2026-03-01T05:00:00Z'));
    expect(statement.params.start).toEqual(new Date('2026-03-01T05:00:00Z'));
    expect(statement.params.end).toEqual(new Date('2026-03-10T04:00:00Z'));
  });

  it('reads the previous window too with --compare, from its start, and still only through parameters', () => {
    const compared = toAnalysisRequest({ start: '2026-03-01', end: '2026-03-10', type: hostile, compare: true }, new Date());
    const both = analysisStatement(compared, planBuckets(compared.window), table);
    expect(both.params.range_start).toEqual(new Date('2026-02-20T00:00:00Z'));
    expect(both.params.start).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(both.query).not.toContain(hostile);
    expect(both.query).not.toContain('2026');
  });

  it('counts each healing_id once', () => {
    expect(statement.query).toContain('QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1');
  });

  it('buckets by local day for long windows and by elapsed hour from the first bucket for short ones', () => {
    expect(statement.query).toContain('DATE_DIFF(DATE(timestamp, @tz), DATE(@start, @tz), DAY)');
    const short = toAnalysisRequest({ start: '2026-03-01 10:30', end: '2026-03-01 12:00' }, new Date());
    const hourly = analysisStatement(short, planBuckets(short.window), table);
    expect(hourly.query).toContain('DIV(TIMESTAMP_DIFF(timestamp, @bucket_origin, SECOND), 3600)');
    expect(hourly.params.bucket_origin).toEqual(new Date('2026-03-01T10:00:00Z'));
    expect(hourly.params).not.toHaveProperty('healing_type');
    expect(hourly.query).not.toContain('@healing_type');
  });

  it('exports with the same window filter and parameters only', () => {
    const exported = exportStatement(request, table);
    expect(exported.query).not.toContain(hostile);
    expect(exported.query).toContain('ORDER BY timestamp, healing_id');
    expect(exported.params).toEqual({ start: statement.params.start, end: statement.params.end, healing_type: hostile });
  });
});
