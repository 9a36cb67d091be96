/**
 * Benchmark of the reports on the BigQuery emulator (prints figures, asserts nothing): events spread
 * over the last 60 days, then `--last 30d --compare --html` (both windows, 30 days each), timed, with
 * the rows the CLI received from BigQuery and the size of the page; once with SMALL events and once
 * with BENCH_EVENTS, to show the rows received do not grow with the events.
 *
 *   npm run --silent build && bash scripts/bench.sh cli/reports.bench.ts
 *
 * BENCH_EVENTS changes the larger event count (default 100,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { loadCommonConfig } from '../shared/config.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist/cli/main.js');
const LARGE = Number(process.env.BENCH_EVENTS ?? 100_000);
const SMALL = Math.min(10_000, LARGE);
const DAY_MS = 86_400_000;
const TYPES = ['batch_cleanup', 'batch_cleanup', 'batch_cleanup', 'retry', 'retry', 'fallback', 'circuit_breaker_reset', 'worker_restart'];

interface Run {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: (performance.now() - began) / 1000, code, stdout, stderr }));
  });
}

function logged(run: Run, message: string, field: string): number {
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.message === message && typeof entry[field] === 'number') return entry[field] as number;
  }
  throw new Error(`no "${message}" line with ${field} in: ${run.stderr}`);
}

function syntheticEvents(count: number, now: number): HealingEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const healingType = TYPES[index % TYPES.length]!;
    const timestamp = new Date(now - 60_000 - Math.floor((index / count) * 60 * DAY_MS));
    return createHealingEvent({
      healing_id: `bench-${index}`,
      timestamp,
      healing_type: healingType,
      trigger_reason:
        healingType === 'batch_cleanup'
          ? `Batch b${index} stalled at ${90 + (index % 10)}.0% (${90 + (index % 10)}/100) for ${15 + (index % 40)}.0 minutes`
          : `Upstream call ${index} failed with HTTP ${500 + (index % 4)} after ${1 + (index % 3)} attempts`,
      root_cause: index % 5 === 0 ? 'stalled_batch' : null,
      action_taken: `Healed ${healingType} ${index}`,
      before_state: { updated_at: new Date(timestamp.getTime() - (15 + (index % 45)) * 60_000).toISOString() },
      after_state: { is_complete: true },
      success: index % 13 !== 0,
      metadata: { execution: 'bench' },
    });
  });
}

async function measure(count: number, env: Record<string, string>, scratch: string, note: (name: string, value: string) => void): Promise<void> {
  const dataset = `bench_report_${count}_${Math.random().toString(16).slice(2, 8)}`;
  const runEnv = { ...env, HEALING_DATASET: dataset, LOG_LEVEL: 'debug' };
  const config = loadCommonConfig(runEnv);
  const bigquery = createBigQuery(config);
  const table = new HealingEventTable(bigquery, config.dataset, config.table);
  try {
    await table.ensureExists();
    const events = syntheticEvents(count, Date.now());
    const began = performance.now();
    for (let start = 0; start < events.length; start += 5_000) {
      const outcome = await table.insert(events.slice(start, start + 5_000));
      if (outcome.rejected.length > 0) throw new Error(`emulator refused ${outcome.rejected.length} rows: ${outcome.rejected[0]!.reason}`);
    }
    note(`${count.toLocaleString('en-US')} events: seeded`, `${((performance.now() - began) / 1000).toFixed(1)} s`);

    const page = join(scratch, `report-${count}.html`);
    const runs: Run[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await runCli(['--last', '30d', '--compare', '--html', page, '--format', 'json'], runEnv);
      if (run.code !== 0) throw new Error(`--html --compare exited ${run.code}: ${run.stderr}`);
      runs.push(run);
    }
    const plain = await runCli(['--last', '30d', '--format', 'json'], runEnv);
    if (plain.code !== 0) throw new Error(`--last 30d exited ${plain.code}: ${plain.stderr}`);
    note(
      `${count.toLocaleString('en-US')} events: --last 30d (no --compare, no --html), for reference`,
      `wall ${plain.seconds.toFixed(2)} s; query ${logged(plain, 'analysis query answered', 'milliseconds')} ms; rows received ${logged(plain, 'analysis query answered', 'rows')}`,
    );
    const report = JSON.parse(runs[0]!.stdout) as { totals: { events: number }; previous: { totals: { events: number } } };
    note(
      `${count.toLocaleString('en-US')} events: --last 30d --compare --html`,
      `${report.totals.events.toLocaleString('en-US')} + ${report.previous.totals.events.toLocaleString('en-US')} events compared; ` +
        `wall ${runs.map((run) => run.seconds.toFixed(2)).join(' / ')} s; query ${logged(runs[0]!, 'analysis query answered', 'milliseconds')} ms; ` +
        `rows received ${logged(runs[0]!, 'analysis query answered', 'rows')}; page ${(statSync(page).size / 1024).toFixed(0)} KB, ` +
        `drawn and written in ${logged(runs[0]!, 'html report written', 'milliseconds')} ms`,
    );
  } finally {
    await bigquery.dataset(dataset).delete({ force: true }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; run npm run build first`);
  const { GOOGLE_CLOUD_PROJECT, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!GOOGLE_CLOUD_PROJECT || !BIGQUERY_EMULATOR_HOST) throw new Error('run through scripts/bench.sh, which points this at the local emulators');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', GOOGLE_CLOUD_PROJECT, BIGQUERY_EMULATOR_HOST, HEALING_TABLE: 'healing_events' };
  const scratch = mkdtempSync(join(tmpdir(), 'report-bench-'));
  const figures: Array<[string, string]> = [];
  const note = (name: string, value: string) => {
    figures.push([name, value]);
    process.stdout.write(`${name}: ${value}\n`);
  };
  try {
    for (const count of SMALL === LARGE ? [LARGE] : [SMALL, LARGE]) await measure(count, env, scratch, note);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`\n| figure | value |\n|---|---|\n${figures.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}\n`);
}

await main();
