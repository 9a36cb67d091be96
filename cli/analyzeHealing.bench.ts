/**
 * Benchmark of analyze-healing on the BigQuery emulator (prints figures, asserts nothing):
 * 100,000 events over the last 30 days, then the time of the default analysis and of a 30-day
 * window, the rows the CLI receives for each, and the peak memory of exporting 10,000 and 100,000 rows.
 *
 *   npm run bench:cli          (builds, then scripts/bench.sh starts the local stack if needed and runs this file)
 *
 * BENCH_EVENTS changes the event count; BENCH_KEEP=true keeps the dataset afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQuery } from '../shared/clients.js';
import { loadCommonConfig } from '../shared/config.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist/cli/main.js');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SMALL_EXPORT = Math.min(10_000, EVENTS);
const DAY_MS = 86_400_000;
const reportPeakMemory = `data:text/javascript,process.on('exit',()=>process.stderr.write('peak_rss_kb='+process.resourceUsage().maxRSS+'\\n'))`;

interface Run {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number | undefined;
}

/** Resident memory of the BigQuery emulator listening on the stack's port, found through /proc. */
function emulatorRssMb(port: string): number | undefined {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!command[0]?.includes('bigquery-emulator') || !command.includes(`--port=${port}`)) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

function runCli(args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<Run> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', reportPeakMemory, bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = /peak_rss_kb=(\d+)/.exec(stderr)?.[1];
      resolve({ seconds: (performance.now() - began) / 1000, code, stdout, stderr, peakRssMb: kb === undefined ? undefined : Number(kb) / 1024 });
    });
  });
}

function check(run: Run, what: string): Run {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr}`);
  return run;
}

/** A field of one of the CLI's debug log lines. */
function logged<T>(run: Run, message: string, field: string): T {
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.message === message && entry[field] !== undefined) return entry[field] as T;
  }
  throw new Error(`no "${message}" line with ${field} in: ${run.stderr}`);
}

function rowsReceived(run: Run): number {
  return logged<number>(run, 'analysis query answered', 'rows');
}

/** The emulator keeps every query job's result table for good; drop the one an export made. */
async function dropExportResult(bigquery: BigQuery, run: Run): Promise<void> {
  const [metadata] = await bigquery.job(logged<string>(run, 'export written', 'job_id')).getMetadata();
  const destination = metadata.configuration?.query?.destinationTable as { datasetId?: string } | undefined;
  if (destination?.datasetId) await bigquery.dataset(destination.datasetId).delete({ force: true });
}

function syntheticEvents(now: number): HealingEvent[] {
  const types = ['batch_cleanup', 'batch_cleanup', 'batch_cleanup', 'retry', 'retry', 'fallback', 'circuit_breaker_reset'];
  return Array.from({ length: EVENTS }, (_, index) => {
    const healingType = types[index % types.length]!;
    const completed = 80 + (index % 20);
    return createHealingEvent({
      healing_id: `bench-${index}`,
      // Spread evenly over the last 30 days, newest first.
      timestamp: new Date(now - 60_000 - Math.floor((index / EVENTS) * 30 * DAY_MS)),
      healing_type: healingType,
      trigger_reason:
        healingType === 'batch_cleanup'
          ? `Batch b${index} stalled at ${completed}.${index % 10}% (${completed}/100) for ${15 + (index % 40)}.0 minutes`
          : `Upstream call ${index} failed with HTTP ${500 + (index % 4)} after ${1 + (index % 3)} attempts`,
      root_cause: index % 5 === 0 ? 'stalled_batch' : null,
      action_taken: `Healed ${healingType} ${index}`,
      before_state: { completed, expected: 100, updated_at: new Date(now - index * 1000).toISOString() },
      after_state: { is_complete: true },
      success: index % 13 !== 0,
      metadata: { batch_id: `b${index}`, execution: 'bench' },
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; run npm run build first`);
  const { GOOGLE_CLOUD_PROJECT, BIGQUERY_EMULATOR_HOST } = process.env;
  if (!GOOGLE_CLOUD_PROJECT || !BIGQUERY_EMULATOR_HOST) throw new Error('run through scripts/bench.sh, which points this at the local emulators');
  const suffix = Math.random().toString(16).slice(2, 10);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GOOGLE_CLOUD_PROJECT,
    BIGQUERY_EMULATOR_HOST,
    HEALING_DATASET: `bench_cli_${suffix}`,
    HEALING_TABLE: 'healing_events',
  };
  const config = loadCommonConfig(env);
  const bigquery = createBigQuery(config);
  const table = new HealingEventTable(bigquery, config.dataset, config.table);
  const scratch = mkdtempSync(join(tmpdir(), 'analyze-healing-bench-'));
  const port = new URL(config.bigqueryEmulatorHost ?? 'http://127.0.0.1:9050').port;
  const figures: Array<[string, string]> = [];
  const note = (name: string, value: string) => {
    figures.push([name, value]);
    process.stdout.write(`${name}: ${value}\n`);
  };

  try {
    const now = Date.now();
    const events = syntheticEvents(now);
    note('emulator RSS before seeding', mb(emulatorRssMb(port)));
    await table.ensureExists();
    const began = performance.now();
    for (let start = 0; start < events.length; start += 5_000) {
      const outcome = await table.insert(events.slice(start, start + 5_000));
      if (outcome.rejected.length > 0) throw new Error(`emulator refused ${outcome.rejected.length} rows: ${outcome.rejected[0]!.reason}`);
    }
    note(`seeded events`, `${EVENTS.toLocaleString('en-US')} in ${seconds(performance.now() - began)}`);
    note('emulator RSS after seeding', mb(emulatorRssMb(port)));

    const debug = { ...env, LOG_LEVEL: 'debug' };
    const defaultRuns = [];
    for (let attempt = 0; attempt < 3; attempt++) defaultRuns.push(check(await runCli(['--format', 'json'], debug), 'default analysis'));
    const defaultReport = JSON.parse(defaultRuns[0]!.stdout) as { totals: { events: number } };
    note(
      'default analysis (last 24 h)',
      `${defaultReport.totals.events.toLocaleString('en-US')} events; wall ${defaultRuns.map((run) => run.seconds.toFixed(2)).join(' / ')} s; rows received ${rowsReceived(defaultRuns[0]!)}; CLI peak RSS ${mb(defaultRuns[0]!.peakRssMb)}`,
    );

    const monthArgs = ['--start', new Date(now - 30 * DAY_MS - 3_600_000).toISOString(), '--format', 'json'];
    const monthRuns = [];
    for (let attempt = 0; attempt < 3; attempt++) monthRuns.push(check(await runCli(monthArgs, debug), '30-day analysis'));
    const monthReport = JSON.parse(monthRuns[0]!.stdout) as { totals: { events: number } };
    note(
      '30-day analysis',
      `${monthReport.totals.events.toLocaleString('en-US')} events; wall ${monthRuns.map((run) => run.seconds.toFixed(2)).join(' / ')} s; rows received ${rowsReceived(monthRuns[0]!)}; CLI peak RSS ${mb(monthRuns[0]!.peakRssMb)}`,
    );
    note('emulator RSS after the analyses', mb(emulatorRssMb(port)));

    // The newest SMALL_EXPORT events exactly: start the window at the oldest of them.
    const smallStart = events[SMALL_EXPORT - 1]!.timestamp.toISOString();
    const allStart = new Date(now - 31 * DAY_MS).toISOString();
    const exports: Array<[string, string, number, string[]]> = [
      [`export ${SMALL_EXPORT.toLocaleString('en-US')} rows`, smallStart, SMALL_EXPORT, []],
      [`export ${EVENTS.toLocaleString('en-US')} rows`, allStart, EVENTS, []],
      // Evidence that memory is bounded, not just collected late: the same export with V8's old space capped.
      [`export ${EVENTS.toLocaleString('en-US')} rows, --max-old-space-size=64`, allStart, EVENTS, ['--max-old-space-size=64']],
    ];
    for (const [label, start, expected, nodeFlags] of exports) {
      const file = join(scratch, 'export.csv');
      const run = check(await runCli(['--start', start, '--export', file], debug, nodeFlags), label);
      await dropExportResult(bigquery, run);
      const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('bench-')).length;
      if (lines !== expected) throw new Error(`${label}: expected ${expected} rows, the file has ${lines}`);
      note(label, `${(statSync(file).size / 1_048_576).toFixed(1)} MB of CSV in ${run.seconds.toFixed(1)} s; CLI peak RSS ${mb(run.peakRssMb)}`);
    }
    note('emulator RSS after the exports', mb(emulatorRssMb(port)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== 'true') await bigquery.dataset(config.dataset).delete({ force: true }).catch(() => undefined);
  }
  process.stdout.write(`\n| figure | value |\n|---|---|\n${figures.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}\n`);
}

function mb(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(0)} MB`;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

await main();
