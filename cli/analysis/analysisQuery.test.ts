import { toAnalysisRequest } from '../analysisRequest.js';
import { planBuckets } from '../timeWindow.js';
import { analysisStatement } from './analysisQuery.js';
import { exportStatement } from './exportQuery.js';

const hostile = "x' OR '1'='1'; DROP TABLE healing_events; --";
const table = '`local-healing.healing_test.healing_events`';
const tables = { events: table, verdicts: '`local-healing.healing_test.heal_verdicts`' };
const micros = (iso: string) => String(Date.parse(iso) * 1000);

describe('analysis query', () => {
  const request = toAnalysisRequest({ start: '2026-03-01', end: '2026-03-10', type: hostile, tz: 'America/New_York', top: '7' }, new Date());
  const statement = analysisStatement(request, planBuckets(request.window), tables);

  it('carries every user value as a parameter, never in the SQL text', () => {
    expect(statement.query).not.toContain(hostile);
    expect(statement.query).not.toContain('America/New_York');
    expect(statement.query).not.toContain('2026');
    expect(statement.params).toMatchObject({ healing_type: hostile, top: '7' });
    expect(statement.types).toMatchObject({ top: 'INT64', midpoint: 'INT64', bucket_start_0: 'INT64' });
  });

  it('filters on the partition column and the clustering column', () => {
    expect(statement.query).toContain('WHERE timestamp >= @range_start AND timestamp < @end AND healing_type = @healing_type');
    expect(statement.params.range_start).toEqual(new Date('2026-03-01T05:00:00Z'));
    expect(statement.params.end).toEqual(new Date('2026-03-10T04:00:00Z'));
    expect(statement.query).toContain('WHERE checked_at >= @range_start AND healing_type = @healing_type');
  });

  it('reads the previous window too with --compare, from its start, and still only through parameters', () => {
    const compared = toAnalysisRequest({ start: '2026-03-01', end: '2026-03-10', type: hostile, compare: true }, new Date());
    const both = analysisStatement(compared, planBuckets(compared.window), tables);
    expect(both.params.range_start).toEqual(new Date('2026-02-20T00:00:00Z'));
    expect(both.params.start).toBe(micros('2026-03-01T00:00:00Z'));
    expect(both.query).not.toContain(hostile);
    expect(both.query).not.toContain('2026');
  });

  it('counts each healing_id once, from its first copy', () => {
    expect(statement.query).toContain('SELECT healing_id FROM facts GROUP BY healing_id HAVING COUNT(*) > 1');
    expect(statement.query).toContain('ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY micros) AS copy');
  });

  it('buckets by local midnight for long windows, across the clock change, and by elapsed hour from the first bucket for short ones', () => {
    expect(statement.params).toMatchObject({ bucket_start_0: micros('2026-03-01T05:00:00Z'), bucket_start_1: micros('2026-03-08T05:00:00Z'), bucket_start_2: micros('2026-03-09T04:00:00Z') });
    expect(statement.query).toContain('IF(micros >= @bucket_start_2, 8 + DIV(micros - @bucket_start_2, 86400000000), IF(micros >= @bucket_start_1, 7 + DIV(micros - @bucket_start_1, 82800000000), DIV(micros - @bucket_start_0, 86400000000)))');
    const short = toAnalysisRequest({ start: '2026-03-01 10:30', end: '2026-03-01 12:00' }, new Date());
    const hourly = analysisStatement(short, planBuckets(short.window), { events: table, verdicts: undefined });
    expect(hourly.query).toContain('DIV(micros - @bucket_start_0, 3600000000) AS slot');
    expect(hourly.params.bucket_start_0).toBe(micros('2026-03-01T10:00:00Z'));
    expect(hourly.params).not.toHaveProperty('healing_type');
    expect(hourly.query).not.toContain('@healing_type');
  });

  it('reads verdicts only from a table that exists', () => {
    const short = toAnalysisRequest({ start: '2026-03-01 10:30', end: '2026-03-01 12:00' }, new Date());
    expect(analysisStatement(short, planBuckets(short.window), { events: table, verdicts: undefined }).query).not.toMatch(/heal_verdicts|checked_at/);
    expect(statement.query).toContain(`FROM ${tables.verdicts}`);
  });

  it('uses every parameter it sends, which the BigQuery emulator insists on', () => {
    for (const each of [statement, analysisStatement(request, planBuckets(request.window), { events: table, verdicts: undefined })]) {
      for (const name of Object.keys(each.params)) expect([name, each.query.includes(`@${name}`)]).toEqual([name, true]);
      for (const name of Object.keys(each.types)) expect(each.params).toHaveProperty(name);
    }
  });

  it('exports with the same window filter and parameters only', () => {
    const exported = exportStatement(request, table);
    expect(exported.query).not.toContain(hostile);
    expect(exported.query).toContain('ORDER BY timestamp, healing_id');
    expect(exported.params).toEqual({ start: new Date('2026-03-01T05:00:00Z'), end: statement.params.end, healing_type: hostile });
  });
});
