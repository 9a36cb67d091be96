import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, HEALING_EVENT_COLUMNS, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { BigQueryStandIn } from '../test/support/bigQueryStandIn.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable } from '../test/support/verdictTable.js';
import { exportStatement } from './analysis/exportQuery.js';
import { toAnalysisRequest } from './analysisRequest.js';
import { analyzeHealing } from './analyzeHealing.js';
import { exportCsv } from './csvExport.js';

// Against the BigQuery emulator, events seeded once through the project's own writer.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);
const directory = mkdtempSync(join(tmpdir(), 'analyze-healing-export-'));

const awkwardReason = 'Batch "x,y" stalled, at 95%\nsecond line, with a \'quote\'';
const events: HealingEvent[] = [
  ['e1', '2026-02-10T01:00:00.000Z', 'batch_cleanup', awkwardReason, null, true],
  ['e2', '2026-02-10T02:00:00.000Z', 'retry', 'Scoring call timed out', 'upstream_timeout', false],
  ['e3', '2026-02-10T03:00:00.000Z', 'batch_cleanup', 'Batch b2 stalled at 91.0% (91/100) for 20.0 minutes', 'stalled_batch', true],
  ['e4', '2026-02-10T04:00:00.000Z', 'fallback', 'Model unavailable', 'model_unavailable', true],
  ['e5', '2026-02-10T05:00:00.000Z', 'batch_cleanup', 'Batch b3 stalled', 'stalled_batch', false],
  ['outside', '2026-02-11T00:00:00.000Z', 'batch_cleanup', 'after the window', null, true],
].map(([healing_id, timestamp, healing_type, trigger_reason, root_cause, success], index) =>
  createHealingEvent({
    healing_id: healing_id as string,
    timestamp: new Date(timestamp as string),
    healing_type: healing_type as string,
    trigger_reason: trigger_reason as string,
    root_cause: root_cause as string | null,
    action_taken: `action ${index}, "done"`,
    before_state: { completed: index, expected: 100, note: 'a,"b"\nc', nested: { list: [1, 'two', null] } },
    after_state: { is_complete: true },
    success: success as boolean,
    metadata: { batch_id: `b${index}`, unicode: 'café ✓' },
  }),
);

// Text any service may write that a spreadsheet would run as a formula, on a day of its own.
const formulas = ['=HYPERLINK("http://example.com/x","click")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];
const formulaEvents = formulas.map((formula, index) =>
  createHealingEvent({
    healing_id: `formula-${index}`,
    timestamp: new Date(Date.parse('2026-02-12T01:00:00Z') + index * 60_000),
    healing_type: `+type${index}`,
    trigger_reason: formula,
    root_cause: formula,
    action_taken: `-${index}`,
    before_state: {},
    after_state: {},
    success: true,
    metadata: {},
  }),
);

function parseCsv(path: string): string[][] {
  return parse(readFileSync(path, 'utf8'), { relax_column_count: false }) as string[][];
}

async function exportWindow(file: string, stderrIsTty: boolean) {
  let stdout = '';
  let stderr = '';
  const code = await analyzeHealing(['--start', '2026-02-10T00:00:00Z', '--end', '2026-02-11T00:00:00Z', '--export', file], env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: stderrIsTty },
    now: () => new Date('2026-02-11T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...events, ...formulaEvents]);
  const duplicate = await table.insert([events[0]!]);
  expect([outcome.rejected, duplicate.rejected]).toEqual([[], []]);
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
  rmSync(directory, { recursive: true, force: true });
});

describe('CSV export', () => {
  const file = join(directory, 'healing.csv');
  let result: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    result = await exportWindow(file, false);
  });

  it('writes the header in schema order and one row per event of the window, a duplicate once, oldest first', () => {
    expect(result.code).toBe(0);
    const [header, ...rows] = parseCsv(file);
    expect(header).toEqual([...HEALING_EVENT_COLUMNS]);
    expect(rows.map((row) => row[0])).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('round-trips a reason with a comma, quotes and a newline, and JSON columns that parse back', () => {
    const [header, ...rows] = parseCsv(file);
    const records = rows.map((row) => Object.fromEntries(header!.map((column, index) => [column, row[index]])));
    expect(records[0]!.trigger_reason).toBe(awkwardReason);
    expect(records[0]!.action_taken).toBe('action 0, "done"');
    records.forEach((record, index) => {
      const seeded = events[index]!;
      expect(JSON.parse(record.before_state!)).toEqual(seeded.before_state);
      expect(JSON.parse(record.after_state!)).toEqual(seeded.after_state);
      expect(JSON.parse(record.metadata!)).toEqual(seeded.metadata);
      expect(record).toMatchObject({
        timestamp: seeded.timestamp.toISOString(),
        healing_type: seeded.healing_type,
        success: String(seeded.success),
        root_cause: seeded.root_cause ?? '',
      });
    });
  });

  it('prints the analysis as usual and nothing on a stderr that is not a terminal', () => {
    expect(result.stdout).toContain('5 events: 3 succeeded, 2 failed');
    expect(result.stderr).toBe('');
  });

  it('shows progress on a terminal, on stderr only', async () => {
    const tty = await exportWindow(join(directory, 'tty.csv'), true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('exporting to');
    expect(tty.stderr).toContain('exported 5 events to');
    expect(tty.stdout).not.toMatch(/exporting|exported/);
  });

  it('writes only the header for a window without events', async () => {
    const empty = join(directory, 'empty.csv');
    const request = toAnalysisRequest({ start: '2020-01-01', end: '2020-01-02' }, new Date());
    const result = await exportCsv(bigquery, exportStatement(request, table.sqlName), empty);
    expect(result.rows).toBe(0);
    expect(parseCsv(empty)).toEqual([[...HEALING_EVENT_COLUMNS]]);
  });

  it('writes the same file when the rows arrive two per page', async () => {
    const paged = join(directory, 'paged.csv');
    const request = toAnalysisRequest({ start: '2026-02-10T00:00:00Z', end: '2026-02-11T00:00:00Z' }, new Date());
    const pages: number[] = [];
    const result = await exportCsv(bigquery, exportStatement(request, table.sqlName), paged, { pageRows: 2, onProgress: (done) => pages.push(done) });
    expect(result.rows).toBe(5);
    expect(pages).toEqual([2, 4, 5]);
    expect(readFileSync(paged, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('keeps cells that a spreadsheet would run as formulas as text, behind a leading quote', async () => {
    const escaped = join(directory, 'formulas.csv');
    const request = toAnalysisRequest({ start: '2026-02-12', end: '2026-02-13' }, new Date());
    await exportCsv(bigquery, exportStatement(request, table.sqlName), escaped);
    const [header, ...rows] = parseCsv(escaped);
    const column = (name: string) => rows.map((row) => row[header!.indexOf(name)]!);
    expect(column('trigger_reason')).toEqual(formulas.map((formula) => `'${formula}`));
    expect(column('root_cause')).toEqual(formulas.map((formula) => `'${formula}`));
    expect(column('healing_type')).toEqual(formulas.map((_, index) => `'+type${index}`));
    expect(column('action_taken')).toEqual(formulas.map((_, index) => `'-${index}`));
    expect(column('trigger_reason').map((cell) => cell.slice(1))).toEqual(formulas);
    expect(column('before_state')).toEqual(formulas.map(() => '{}'));
  });
});

describe('a failed export', () => {
  const standIn = new BigQueryStandIn({ target: config.bigqueryEmulatorHost });
  const kept = 'healing_id,timestamp\nthe,postmortem export of last week\n';
  beforeAll(async () => {
    await standIn.start();
  });
  afterAll(async () => {
    await standIn.stop();
  });

  function existingFile(name: string): string {
    const path = join(directory, name);
    writeFileSync(path, kept);
    return path;
  }

  const besides = (name: string) => readdirSync(directory).filter((entry) => entry.includes(name) && entry !== name);

  it('leaves an existing file as it was when BigQuery fails once the report is out', async () => {
    standIn.mode = 'forward';
    const path = existingFile('failed.csv');
    let stderr = '';
    const code = await analyzeHealing(['--start', '2026-02-10T00:00:00Z', '--end', '2026-02-11T00:00:00Z', '--export', path], emulatorEnv(suffix, { BIGQUERY_EMULATOR_HOST: standIn.url }), {
      stdout: {
        write: () => {
          standIn.mode = 'fail';
          return true;
        },
      },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      now: () => new Date('2026-02-11T12:00:00Z'),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^analyze-healing: BigQuery query on .* failed/);
    expect(readFileSync(path, 'utf8')).toBe(kept);
    expect(besides('failed.csv')).toEqual([]);
  });

  it('leaves an existing file as it was when BigQuery fails after the first page was written', async () => {
    standIn.mode = 'forward';
    const path = existingFile('halfway.csv');
    const viaStandIn = createBigQuery({ ...config, bigqueryEmulatorHost: standIn.url });
    const request = toAnalysisRequest({ start: '2026-02-10T00:00:00Z', end: '2026-02-11T00:00:00Z' }, new Date());
    const pages: number[] = [];
    const exported = exportCsv(viaStandIn, exportStatement(request, table.sqlName), path, {
      pageRows: 2,
      onProgress: (done) => {
        pages.push(done);
        standIn.mode = 'fail';
      },
    });
    await expect(exported).rejects.toThrow();
    expect(pages).toEqual([2]);
    expect(readFileSync(path, 'utf8')).toBe(kept);
    expect(besides('halfway.csv')).toEqual([]);
  });
});
