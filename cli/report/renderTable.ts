import { DateTime } from 'luxon';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import type { HealingReport } from '../analysis/healingReport.js';
import type { TimeToHeal } from '../analysis/timeToHeal.js';
import { changeText, count, describeLength, describeMinutes, percent, span } from '../wording.js';
import { bucketsPerCharacter, sparkline } from './sparkline.js';
import { MAX_LINE_WIDTH, terminalCell, terminalText } from './terminalText.js';

/** Longest cause shown in the table; the JSON has it whole. */
export const MAX_CAUSE_WIDTH = 100;
/** Longest healing type shown in the table. */
export const MAX_TYPE_WIDTH = 60;

/**
 * The report for a person at a terminal: window, totals, time to heal, verdicts, per-type table with
 * sparklines, top causes, the comparison with the previous window (with `--compare`), advice. Text
 * from events (types, causes, reasons in the advice) is printed without control characters, whatever
 * it holds, and long cells are cut; `--format json` has every text exactly.
 */
export function renderTable(report: HealingReport): string {
  return `${lines(report)
    .map((line) => terminalText(line))
    .join('\n')}\n`;
}

function lines(report: HealingReport): string[] {
  const { window, totals } = report;
  const start = DateTime.fromISO(window.start, { zone: window.tz });
  const end = DateTime.fromISO(window.end, { zone: window.tz });
  const only = report.filter.healing_type === null ? '' : ` of type ${typeName(report.filter.healing_type)}`;
  const period = `${localTime(start)} to ${localTime(end)} (${window.tz}, ${span(end.diff(start).as('hours'))})`;
  const comparison = comparisonTable(report, end.diff(start).as('milliseconds'));
  if (totals.events === 0) {
    const none = `No healing events${only} from ${period}.`;
    return report.previous === undefined || report.previous.totals.events === 0 ? [none] : [none, '', ...comparison];
  }

  return [
    `Healing events${only} from ${period}`,
    '',
    `${count(totals.events)} events: ${count(totals.successes)} succeeded, ${count(totals.failures)} failed, success rate ${rate(totals.success_rate)}`,
    ...(report.filter.healing_type === null || report.filter.healing_type === BATCH_CLEANUP ? [timeToHealLine(report)] : []),
    ...verdictLines(report),
    '',
    ...typeTable(report),
    '',
    `TOP ${report.top_causes.length} ROOT CAUSES (# stands for ids and numbers)`,
    ...columns(
      [['RANK', 'EVENTS', 'FAILED', 'CAUSE'], ...report.top_causes.map((cause, index) => [`${index + 1}`, count(cause.events), count(cause.failures), shorten(cause.cause)])],
      ['right', 'right', 'right', 'left'],
    ),
    '',
    ...(comparison.length === 0 ? [] : [...comparison, '']),
    'RECOMMENDATIONS',
    ...(report.recommendations.length === 0
      ? ['- Nothing stands out: no type fails often, heals often or is rising.']
      : report.recommendations.map((advice) => `- ${terminalCell(advice, MAX_LINE_WIDTH)}`)),
  ];
}

function typeTable(report: HealingReport): string[] {
  const bucketCount = new Set(report.trend.map((point) => point.bucket_start)).size;
  const perCharacter = bucketsPerCharacter(bucketCount);
  const unit = report.window.bucket === 'hour' ? 'HOUR' : 'DAY';
  const trendTitle = perCharacter === 1 ? `EVENTS PER ${unit}` : `EVENTS PER ${perCharacter} ${unit}S`;
  const verdicts = new Map(report.verdicts.map((verdict) => [verdict.healing_type, verdict]));
  const premature = verdicts.size > 0;
  const rows = report.by_type.map((type) => {
    const series = report.trend.filter((point) => point.healing_type === type.healing_type).map((point) => point.events);
    const verdict = verdicts.get(type.healing_type);
    return [
      typeName(type.healing_type),
      count(type.events),
      count(type.successes),
      count(type.failures),
      rate(type.success_rate),
      ...(premature ? [verdict === undefined ? '' : rate(verdict.premature_rate)] : []),
      `${sparkline(series)}  peak ${Math.max(0, ...series)}`,
    ];
  });
  const head = ['TYPE', 'EVENTS', 'SUCCEEDED', 'FAILED', 'SUCCESS', ...(premature ? ['PREMATURE'] : []), trendTitle];
  return columns([head, ...rows], ['left', 'right', 'right', 'right', 'right', ...(premature ? (['right'] as const) : []), 'left']);
}

/** One line per type with verdicts: how its successful heals turned out, and the premature rate before with --compare. */
function verdictLines(report: HealingReport): string[] {
  const previous = new Map((report.previous?.verdicts ?? []).map((verdict) => [verdict.healing_type, verdict]));
  return report.verdicts.map((verdict) => {
    const late = verdict.premature === 0 ? '' : `, ${count(verdict.late_players)} late ${verdict.late_players === 1 ? 'player' : 'players'}`;
    const then = report.previous === undefined ? '' : `; previous window: ${rate(previous.get(verdict.healing_type)?.premature_rate ?? null)} premature`;
    return (
      `Verdicts (${typeName(verdict.healing_type)}): ${count(verdict.held)} held, ${count(verdict.premature)} premature (${rate(verdict.premature_rate)}${late}), ` +
      `${count(verdict.gone)} gone, ${count(verdict.undone)} undone, ${count(verdict.open)} open${then}`
    );
  });
}

function timeToHealLine(report: HealingReport): string {
  const describe = (heal: TimeToHeal | null) =>
    heal === null ? 'no successful heals' : `median ${describeMinutes(heal.median_minutes)}, p95 ${describeMinutes(heal.p95_minutes)} over ${count(heal.heals)} heals`;
  const previous = report.previous === undefined ? '' : `; previous window: ${describe(report.previous.time_to_heal)}`;
  return `Time to heal (batch_cleanup, last progress to successful heal): ${describe(report.time_to_heal)}${previous}`;
}

function comparisonTable(report: HealingReport, lengthMs: number): string[] {
  if (report.previous === undefined || report.changes === undefined) return [];
  const { window } = report.previous;
  const from = localTime(DateTime.fromISO(window.start, { zone: window.tz }));
  const to = localTime(DateTime.fromISO(window.end, { zone: window.tz }));
  return [
    `AGAINST THE PREVIOUS ${describeLength(lengthMs).toUpperCase()} (${from} to ${to})`,
    ...columns(
      [['SCOPE', 'NAME', 'THEN', 'NOW', 'CHANGE'], ...report.changes.map((item) => [item.scope, shorten(item.name ?? 'all healing'), count(item.previous), count(item.current), changeText(item)])],
      ['left', 'left', 'right', 'right', 'right'],
    ),
  ];
}

function columns(rows: string[][], align: Array<'left' | 'right'>): string[] {
  const widths = align.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (align[index] === 'right' ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}

function localTime(time: DateTime): string {
  return time.toFormat(time.second === 0 && time.millisecond === 0 ? 'yyyy-MM-dd HH:mm ZZ' : 'yyyy-MM-dd HH:mm:ss ZZ');
}

function rate(value: number | null): string {
  return value === null ? '-' : percent(value);
}

function shorten(text: string): string {
  return terminalCell(text, MAX_CAUSE_WIDTH);
}

function typeName(text: string): string {
  return terminalCell(text, MAX_TYPE_WIDTH);
}
