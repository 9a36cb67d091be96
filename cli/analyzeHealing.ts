import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { loadCommonConfig, type CommonConfig } from '../shared/config.js';
import { describeError } from '../shared/errorText.js';
import { EXIT_OK, exitCodeFor } from '../shared/exitCodes.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { analysisStatement } from './analysis/analysisQuery.js';
import { fetchAnalysisRows } from './analysis/analysisRows.js';
import { exportStatement } from './analysis/exportQuery.js';
import { buildReport, type HealingReport } from './analysis/healingReport.js';
import { toAnalysisRequest, type AnalysisRequest } from './analysisRequest.js';
import { toBigQueryFailure } from './bigQueryFailure.js';
import { parseCommandLine } from './commandLine.js';
import { exportCsv, ExportQueryError } from './csvExport.js';
import { assertWritable, replaceFile } from './exportTarget.js';
import { postDigest, slackTarget, type SlackTarget } from './report/postDigest.js';
import { renderJson } from './report/renderJson.js';
import { renderTable } from './report/renderTable.js';
import { slackDigest } from './report/slackDigest.js';
import { planBuckets } from './timeWindow.js';
import { count } from './wording.js';

/** Where the program writes and what time it is; the real process in main.ts, captured in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  /** Progress appears only when `isTTY` is true. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  now: () => Date;
}

/**
 * The whole program: flags, configuration, one analysis query, the report on stdout, then the optional
 * HTML page, Slack digest and export. Returns the exit code.
 */
export async function analyzeHealing(argv: readonly string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, (text) => io.stdout.write(text));
    if (parsed.kind === 'answered') return EXIT_OK;
    const request = toAnalysisRequest(parsed.options, io.now());
    const config = loadCommonConfig(env);
    if (request.exportPath !== undefined) await assertWritable(request.exportPath);
    if (request.htmlPath !== undefined) await assertWritable(request.htmlPath, '--html', 'healing.html');
    const slack = request.slack ? slackTarget(env) : undefined;
    const logger = createLogger({ level: config.logLevel, write: (line) => io.stderr.write(line) });
    const bigquery = createBigQuery(config);
    const table = new HealingEventTable(bigquery, config.dataset, config.table).sqlName;

    const healingReport = await report(bigquery, table, request, config, logger, io);
    if (request.htmlPath !== undefined) await writeHtml(request.htmlPath, healingReport, logger, io);
    if (request.exportPath !== undefined) await exportEvents(bigquery, table, request, config, logger, io);
    if (slack !== undefined) await postSlack(slack, healingReport, logger);
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`analyze-healing: ${describeError(error, env)}\n`);
    return exitCodeFor(error);
  }
}

async function report(bigquery: BigQuery, table: string, request: AnalysisRequest, config: CommonConfig, logger: Logger, io: CliIo): Promise<HealingReport> {
  const plan = planBuckets(request.window);
  const began = Date.now();
  const verdicts = await verdictTable(bigquery, config);
  const rows = await fetchAnalysisRows(bigquery, analysisStatement(request, plan, { events: table, verdicts: verdicts.sqlName })).catch((error: unknown) => {
    throw toBigQueryFailure(error, config);
  });
  logger.debug('analysis query answered', { rows: rows.length, milliseconds: Date.now() - began, buckets: plan.starts.length });
  if (verdicts.sqlName === undefined) {
    io.stderr.write(`analyze-healing: WARNING: BigQuery table ${verdicts.name} does not exist, so the report has no heal verdicts; deploy creates it (HEALING_VERDICT_TABLE)\n`);
  }
  const healingReport = buildReport(request, plan, rows);
  io.stdout.write(request.format === 'json' ? renderJson(healingReport) : renderTable(healingReport));
  return healingReport;
}

/** The heal verdict table, by SQL name when it exists: a deployment older than verdicts has none, and its report goes without them. */
async function verdictTable(bigquery: BigQuery, config: CommonConfig): Promise<{ name: string; sqlName: string | undefined }> {
  const table = new HealVerdictTable(bigquery, config.dataset, config.verdictTable);
  const [exists] = await table.table.exists().catch((error: unknown) => {
    throw toBigQueryFailure(error, config);
  });
  return { name: `${bigquery.projectId}.${config.dataset}.${config.verdictTable}`, sqlName: exists ? table.sqlName : undefined };
}

async function writeHtml(path: string, healingReport: HealingReport, logger: Logger, io: CliIo): Promise<void> {
  const began = Date.now();
  // Loaded only for --html: the chart libraries take a fifth of a second to load.
  const { renderHtml } = await import('./report/htmlReport.js');
  const page = await renderHtml(healingReport, io.now());
  try {
    await replaceFile(path, (file) => pipeline(Readable.from([page]), file));
  } catch (error) {
    throw new Error(`writing ${path} failed: ${describeError(error, {})}`, { cause: error });
  }
  logger.debug('html report written', { path, bytes: Buffer.byteLength(page), milliseconds: Date.now() - began });
}

async function postSlack(target: SlackTarget, healingReport: HealingReport, logger: Logger): Promise<void> {
  const began = Date.now();
  const digest = slackDigest(healingReport);
  await postDigest(target, digest);
  logger.debug('slack digest posted', { blocks: digest.blocks.length, milliseconds: Date.now() - began });
}

async function exportEvents(bigquery: BigQuery, table: string, request: AnalysisRequest, config: CommonConfig, logger: Logger, io: CliIo) {
  const path = request.exportPath!;
  const onTerminal = io.stderr.isTTY === true;
  const began = Date.now();
  try {
    const { rows: written, jobId } = await exportCsv(bigquery, exportStatement(request, table), path, {
      onProgress: onTerminal ? (done, total) => io.stderr.write(`\rexporting to ${path}: ${count(done)} of ${count(total)} events`) : undefined,
    });
    if (onTerminal) io.stderr.write(`\rexported ${count(written)} events to ${path}\x1b[K\n`);
    logger.debug('export written', { rows: written, path, job_id: jobId, milliseconds: Date.now() - began });
  } catch (error) {
    if (onTerminal) io.stderr.write('\n');
    if (error instanceof ExportQueryError) throw toBigQueryFailure(error.cause, config);
    throw new Error(`writing ${path} failed: ${describeError(error, {})}`, { cause: error });
  }
}
