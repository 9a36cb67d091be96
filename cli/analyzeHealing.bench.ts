/**
 * Benchmark of analyze-healing on the BigQuery emulator (prints figures, asserts nothing): BENCH_EVENTS
 * (100,000) events in the last 7 days and BENCH_PREVIOUS_EVENTS (20,000) in the 7 days before, with a
 * verdict for every successful batch_cleanup heal older than an hour; then the 7-day analysis with
 * `--compare` (and so the verdicts) timed against earlier builds run side by side on the same data,
 * the rows the CLI receives, and the peak memory of exporting 10,000 and every row.
 *
 *   npm run bench:cli          (builds, then scripts/bench.sh starts the local stack if needed and runs this file)
 *
 * Earlier builds to compare with, each a checkout with its own `npm run build` (and node_modules):
 *   BENCH_MAIN=/tmp/cli-main       today's main, run with and without --compare
 *   BENCH_BEFORE=/tmp/cli-before   the build before --compare and time to heal (f64034b^), which has no --compare
 * e.g. `git worktree add /tmp/cli-before f64034b^`, link node_modules into it, `npm run build` there.
 * The builds take turns, BENCH_ATTEMPTS (3) rounds; the output of this build must equal main's but
 * for the verdicts, and the benchmark says whether it does.
 *
 * BENCH_KEEP=true keeps the dataset afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { loadCommonConfig } from '../shared/config.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { createVerdictTable, insertVerdicts, type VerdictRow } from '../test/support/verdictTable.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PREVIOUS_EVENTS = Number(process.env.BENCH_PREVIOUS_EVENTS ?? 20_000);
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 3);
const SMALL_EXPORT = Math.min(10_000, EVENTS);
const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const reportPeakMemory = `data:text/javascript,process.on('exit',()=>process.stderr.write('peak_rss_kb='+process.resourceUsage().maxRSS+'\\n'))`;

interface Run {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number | undefined;
}

/** A build of the CLI to time: this checkout's or an earlier one's, with the arguments it understands. */
interface Contender {
  label: string;
  bin: string;
  args: string[];
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

function runCli(bin: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<Run> {
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

/** The emulator keeps every query job's result table for good; drop the one an export made. */
async function dropExportResult(bigquery: BigQuery, run: Run): Promise<void> {
  const [metadata] = await bigquery.job(logged<string>(run, 'export written', 'job_id')).getMetadata();
  const destination = metadata.configuration?.query?.destinationTable as { datasetId?: string } | undefined;
  if (destination?.datasetId) await bigquery.dataset(destination.datasetId).delete({ force: true });
}

/**
 * `count` events spread evenly over the `spanMs` before `newest`, newest first: three batch_cleanup
 * heals (as the job records them: the rule, the stall, the last progress) to two retries, a fallback
 * and a circuit breaker reset; one in five with a root cause, the rest grouped by their reason.
 */
function syntheticEvents(count: number, newest: number, spanMs: number, prefix: string): HealingEvent[] {
  const types = ['batch_cleanup', 'batch_cleanup', 'batch_cleanup', 'retry', 'retry', 'fallback', 'circuit_breaker_reset'];
  return Array.from({ length: count }, (_, index) => {
    const healingType = types[index % types.length]!;
    const batch = healingType === 'batch_cleanup';
    const completed = 80 + (index % 20);
    const stall = 15 + (index % 40);
    const timestamp = new Date(newest - MINUTE - Math.floor((index / count) * spanMs));
    return createHealingEvent({
      healing_id: `${prefix}-${index}`,
      timestamp,
      healing_type: healingType,
      trigger_reason: batch
        ? `Batch b${index} stalled at ${completed}.${index % 10}% (${completed}/100) for ${stall}.0 minutes`
        : `Upstream call ${index} failed with HTTP ${500 + (index % 4)} after ${1 + (index % 3)} attempts`,
      root_cause: index % 5 === 0 ? 'stalled_batch' : null,
      action_taken: `Healed ${healingType} ${index}`,
      before_state: batch
        ? { completed, expected: 100, stall_minutes: stall, updated_at: new Date(timestamp.getTime() - stall * MINUTE).toISOString() }
        : { completed, expected: 100 },
      after_state: { is_complete: true },
      success: index % 13 !== 0,
      metadata: batch ? { batch_id: `b${index}`, execution: 'bench', rule: { stall_minutes: index % 10 === 9 ? 20 : 15, min_completion_pct: 90 } } : { execution: 'bench' },
    });
  });
}

/** A verdict an hour or so after every successful batch heal older than an hour: held, one in 31 premature, one in 97 gone, one in 211 undone later. */
function syntheticVerdicts(events: readonly HealingEvent[], now: number): VerdictRow[] {
  return events.flatMap((event, index): VerdictRow[] => {
    if (event.healing_type !== 'batch_cleanup' || !event.success || event.timestamp.getTime() > now - 3_600_000) return [];
    const checked = new Date(event.timestamp.getTime() + 3_600_000 + (index % 600) * 1000);
    const kind = index % 31 === 0 ? 'premature' : index % 97 === 0 ? 'gone' : 'held';
    const stall = event.before_state.stall_minutes as number;
    const first: VerdictRow = {
      healing_id: event.healing_id,
      healing_type: event.healing_type,
      verdict: kind,
      checked_at: checked,
      healed_at: event.timestamp,
      stall_minutes: stall,
      late_players: kind === 'premature' ? 1 + (index % 5) : null,
      progress_after_minutes: kind === 'premature' ? 1 + (index % 20) : null,
    };
    if (index % 211 !== 0) return [first];
    return [first, { ...first, verdict: 'undone', checked_at: new Date(checked.getTime() + 600_000), late_players: null, progress_after_minutes: null, actor: 'bench', reason: 'bench' }];
  });
}

/** The report without what only this build has (verdicts and the advice drawn from them), to hold it against main's. */
function sharedPart(json: string): unknown {
  const report = JSON.parse(json) as Record<string, unknown> & { previous?: Record<string, unknown>; recommendations: string[] };
  const { verdicts: _verdicts, stall_recommendation: _recommendation, ...rest } = report;
  if (rest.previous !== undefined) {
    const { verdicts: _previousVerdicts, ...previous } = rest.previous;
    rest.previous = previous;
  }
  rest.recommendations = report.recommendations.filter((advice) => !/ too early \(|^raising STALL_MINUTES | premature rate /.test(advice));
  return rest;
}

function contenders(start: string, end: string): Contender[] {
  const window = ['--start', start, '--end', end, '--format', 'json'];
  const earlier = (variable: string) => {
    const directory = process.env[variable];
    if (!directory) return undefined;
    const bin = join(directory, 'dist/cli/main.js');
    if (!existsSync(bin)) throw new Error(`${variable}=${directory} has no dist/cli/main.js; run npm run build there`);
    return bin;
  };
  const before = earlier('BENCH_BEFORE');
  const main = earlier('BENCH_MAIN');
  return [
    ...(before ? [{ label: 'before --compare (f64034b^)', bin: before, args: window }] : []),
    ...(main ? [{ label: 'main', bin: main, args: window }] : []),
    ...(main ? [{ label: 'main --compare', bin: main, args: [...window, '--compare'] }] : []),
    { label: 'this build --compare, with verdicts', bin: join(root, 'dist/cli/main.js'), args: [...window, '--compare'] },
  ];
}

async function main(): Promise<void> {
  const bin = join(root, 'dist/cli/main.js');
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
    HEALING_VERDICT_TABLE: 'heal_verdicts',
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
    const windowEnd = new Date(now);
    const windowStart = new Date(now - 7 * DAY_MS);
    const events = [...syntheticEvents(EVENTS, now, 7 * DAY_MS, 'bench'), ...syntheticEvents(PREVIOUS_EVENTS, now - 7 * DAY_MS, 7 * DAY_MS, 'previous')];
    const verdicts = syntheticVerdicts(events, now);
    note('emulator RSS before seeding', mb(emulatorRssMb(port)));
    await table.ensureExists();
    await createVerdictTable(bigquery, config.dataset, config.verdictTable);
    const began = performance.now();
    for (let start = 0; start < events.length; start += 5_000) {
      const outcome = await table.insert(events.slice(start, start + 5_000));
      if (outcome.rejected.length > 0) throw new Error(`emulator refused ${outcome.rejected.length} rows: ${outcome.rejected[0]!.reason}`);
    }
    await insertVerdicts(bigquery, config.dataset, config.verdictTable, verdicts);
    note(
      'seeded',
      `${count(EVENTS)} events in the last 7 days, ${count(PREVIOUS_EVENTS)} in the 7 days before, ${count(verdicts.length)} verdict rows, in ${seconds(performance.now() - began)}`,
    );
    note('emulator RSS after seeding', mb(emulatorRssMb(port)));

    const debug = { ...env, LOG_LEVEL: 'debug' };
    const racers = contenders(windowStart.toISOString(), windowEnd.toISOString());
    const runs = new Map<Contender, Run[]>(racers.map((racer) => [racer, []]));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      for (const racer of racers) runs.get(racer)!.push(check(await runCli(racer.bin, racer.args, debug), racer.label));
    }
    const best = new Map(racers.map((racer) => [racer, Math.min(...runs.get(racer)!.map((run) => run.seconds))]));
    const ours = racers.at(-1)!;
    const mainRacer = racers.find((racer) => racer.label === 'main');
    for (const racer of racers) {
      const [first] = runs.get(racer)!;
      const ratio = mainRacer === undefined ? '' : `; ${(best.get(racer)! / best.get(mainRacer)!).toFixed(2)}x main`;
      note(
        `7-day analysis, ${racer.label}`,
        `wall ${runs
          .get(racer)!
          .map((run) => run.seconds.toFixed(2))
          .join(' / ')} s (best ${best.get(racer)!.toFixed(2)} s${ratio}); rows received ${logged<number>(first!, 'analysis query answered', 'rows')}; CLI peak RSS ${mb(first!.peakRssMb)}`,
      );
    }
    const ourReport = JSON.parse(runs.get(ours)![0]!.stdout) as { totals: { events: number }; verdicts: unknown[] };
    note('7-day analysis, events and verdict types', `${count(ourReport.totals.events)} events; ${ourReport.verdicts.length} types with verdicts`);
    const mainCompared = racers.find((racer) => racer.label === 'main --compare');
    if (mainCompared !== undefined) {
      const same = JSON.stringify(sharedPart(runs.get(mainCompared)![0]!.stdout)) === JSON.stringify(sharedPart(runs.get(ours)![0]!.stdout));
      note('output of this build against main --compare', same ? 'identical but for verdicts and stall_recommendation' : 'DIFFERENT');
    }
    note('emulator RSS after the analyses', mb(emulatorRssMb(port)));

    // The newest SMALL_EXPORT events exactly: start the window at the oldest of them.
    const smallStart = events[SMALL_EXPORT - 1]!.timestamp.toISOString();
    const allStart = new Date(now - 15 * DAY_MS).toISOString();
    const all = EVENTS + PREVIOUS_EVENTS;
    const exports: Array<[string, string, number, string[]]> = [
      [`export ${count(SMALL_EXPORT)} rows`, smallStart, SMALL_EXPORT, []],
      [`export ${count(all)} rows`, allStart, all, []],
      // Evidence that memory is bounded, not just collected late: the same export with V8's old space capped.
      [`export ${count(all)} rows, --max-old-space-size=64`, allStart, all, ['--max-old-space-size=64']],
    ];
    for (const [label, start, expected, nodeFlags] of exports) {
      const file = join(scratch, 'export.csv');
      const run = check(await runCli(bin, ['--start', start, '--export', file], debug, nodeFlags), label);
      await dropExportResult(bigquery, run);
      const lines = readFileSync(file, 'utf8').split('\n').filter((line) => /^(bench|previous)-/.test(line)).length;
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

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function mb(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(0)} MB`;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

await main();
