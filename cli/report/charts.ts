import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { HealingReport } from '../analysis/healingReport.js';

/** One chart of the page: a title for people and its SVG, drawn on the server. */
export interface Chart {
  id: string;
  title: string;
  svg: string;
}

/** Widest chart drawn, in pixels; the page scales them down on narrow screens. */
export const CHART_WIDTH = 640;
/** Longest cause label on the top-causes chart; the table under it has the whole text. */
export const MAX_CAUSE_LABEL = 60;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const COLORS = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

const config = {
  font: FONT,
  background: 'transparent',
  view: { stroke: null },
  axis: { labelColor: '#374151', titleColor: '#374151', gridColor: '#e5e7eb', domainColor: '#9ca3af', tickColor: '#9ca3af', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500 },
  legend: { labelColor: '#374151', titleColor: '#374151', labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  range: { category: COLORS },
} as const;

/** Renders a Vega-Lite spec to SVG text in this process: no browser, no network. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile({ ...spec, config } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The report's charts, each only when it has something to show: events over time by type, success
 * rate by type, top causes, time to heal (now and, with --compare, before), heal verdicts by type.
 */
export async function reportCharts(report: HealingReport): Promise<Chart[]> {
  const specs: Array<{ id: string; title: string; spec: TopLevelSpec }> = [];
  if (report.totals.events > 0) {
    specs.push({ id: 'events-over-time', title: 'Events over time by type', spec: eventsOverTime(report) });
    specs.push({ id: 'success-rate', title: 'Success rate by type', spec: successRate(report) });
  }
  if (report.top_causes.length > 0) specs.push({ id: 'top-causes', title: 'Top causes', spec: topCauses(report) });
  if (report.time_to_heal !== null || report.previous?.time_to_heal) specs.push({ id: 'time-to-heal', title: 'Time to heal (batch_cleanup)', spec: timeToHeal(report) });
  if (report.verdicts.length > 0) specs.push({ id: 'verdicts', title: 'Heal verdicts by type', spec: verdicts(report) });
  if (report.changes !== undefined && report.changes.some((change) => change.scope === 'type')) {
    specs.push({ id: 'compare-types', title: 'Events by type, previous window and this one', spec: compareTypes(report) });
  }
  return Promise.all(specs.map(async ({ id, title, spec }) => ({ id, title, svg: await renderSvg(spec) })));
}

/**
 * Bucket starts as wall-clock times of the report's zone, read by Vega as UTC: the axis then shows
 * the zone's local hours and days whatever the zone of the machine drawing it.
 */
function wallClock(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

function eventsOverTime(report: HealingReport): TopLevelSpec {
  const hourly = report.window.bucket === 'hour';
  return {
    width: CHART_WIDTH - 160,
    height: 220,
    data: { values: report.trend.map((point) => ({ time: wallClock(point.bucket_start), type: point.healing_type, events: point.events })) },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      x: {
        field: 'time',
        type: 'temporal',
        timeUnit: hourly ? 'utcyearmonthdatehours' : 'utcyearmonthdate',
        title: `${hourly ? 'hour' : 'day'} (${report.window.tz})`,
        axis: { format: hourly ? '%b %d %H:%M' : '%b %d', labelOverlap: true, labelAngle: 0 },
      },
      y: { field: 'events', type: 'quantitative', aggregate: 'sum', title: 'events', axis: { tickMinStep: 1 } },
      color: { field: 'type', type: 'nominal', title: 'healing type', sort: report.by_type.map((type) => type.healing_type) },
    },
  };
}

function successRate(report: HealingReport): TopLevelSpec {
  const values = report.by_type.map((type) => ({ type: type.healing_type, rate: type.success_rate ?? 0, label: `${((type.success_rate ?? 0) * 100).toFixed(1)}% of ${type.events}` }));
  const height = Math.max(40, values.length * 26);
  return {
    width: CHART_WIDTH - 260,
    height,
    data: { values },
    encoding: {
      y: { field: 'type', type: 'nominal', sort: null, title: null, axis: { labelLimit: 180 } },
      x: { field: 'rate', type: 'quantitative', scale: { domain: [0, 1] }, title: 'success rate', axis: { format: '.0%' } },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            scale: { domain: [0, 0.8, 1], range: ['#dc2626', '#f59e0b', '#16a34a'] },
            legend: null,
          },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, color: '#374151', fontSize: 11 }, encoding: { text: { field: 'label' }, x: { datum: 0 } } },
    ],
  };
}

function topCauses(report: HealingReport): TopLevelSpec {
  const label = (cause: string, index: number) => `${index + 1}. ${cause.length > MAX_CAUSE_LABEL ? `${cause.slice(0, MAX_CAUSE_LABEL - 1)}…` : cause}`;
  const values = report.top_causes.flatMap((cause, index) => [
    { cause: label(cause.cause, index), outcome: 'succeeded', events: cause.events - cause.failures },
    { cause: label(cause.cause, index), outcome: 'failed', events: cause.failures },
  ]);
  return {
    width: CHART_WIDTH - 400,
    height: Math.max(40, report.top_causes.length * 26),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'cause', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: 'events', type: 'quantitative', aggregate: 'sum', title: 'events', axis: { tickMinStep: 1 } },
      color: { field: 'outcome', type: 'nominal', title: 'heal', scale: { domain: ['succeeded', 'failed'], range: ['#2563eb', '#dc2626'] } },
      order: { field: 'outcome', sort: 'descending' },
    },
  };
}

function timeToHeal(report: HealingReport): TopLevelSpec {
  const windows: Array<[string, HealingReport['time_to_heal']]> = [['this window', report.time_to_heal]];
  if (report.previous !== undefined) windows.unshift(['previous window', report.previous.time_to_heal]);
  const values = windows.flatMap(([window, heal]) =>
    heal === null
      ? []
      : [
          { window, measure: 'median', minutes: heal.median_minutes },
          { window, measure: '95th percentile', minutes: heal.p95_minutes },
        ],
  );
  return {
    width: CHART_WIDTH - 260,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: 'measure', type: 'nominal', title: null, sort: ['median', '95th percentile'] },
      yOffset: { field: 'window', type: 'nominal', sort: ['previous window', 'this window'] },
      x: { field: 'minutes', type: 'quantitative', title: 'minutes from last progress to heal' },
      color: { field: 'window', type: 'nominal', title: null, scale: { domain: ['previous window', 'this window'], range: ['#9ca3af', '#2563eb'] } },
    },
    layer: [
      { mark: { type: 'bar', cornerRadiusEnd: 2 } },
      { mark: { type: 'text', align: 'left', dx: 4, color: '#374151', fontSize: 11 }, encoding: { text: { field: 'minutes', format: '.1f' }, color: { value: '#374151' } } },
    ],
  } as TopLevelSpec;
}

const VERDICT_COLORS: Record<string, string> = { held: '#16a34a', premature: '#dc2626', gone: '#9ca3af', undone: '#f59e0b', open: '#bfdbfe' };

function verdicts(report: HealingReport): TopLevelSpec {
  const outcomes = Object.keys(VERDICT_COLORS) as Array<'held' | 'premature' | 'gone' | 'undone' | 'open'>;
  const values = report.verdicts.flatMap((verdict) => outcomes.map((outcome) => ({ type: verdict.healing_type, outcome, heals: verdict[outcome] })));
  return {
    width: CHART_WIDTH - 260,
    height: Math.max(40, report.verdicts.length * 26),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'type', type: 'nominal', sort: null, title: null, axis: { labelLimit: 180 } },
      x: { field: 'heals', type: 'quantitative', aggregate: 'sum', title: 'successful heals', axis: { tickMinStep: 1 } },
      color: { field: 'outcome', type: 'nominal', title: 'verdict', scale: { domain: outcomes, range: outcomes.map((outcome) => VERDICT_COLORS[outcome]!) } },
      order: { field: 'order', type: 'quantitative' },
    },
    transform: [{ calculate: `indexof(${JSON.stringify(outcomes)}, datum.outcome)`, as: 'order' }],
  } as TopLevelSpec;
}

function compareTypes(report: HealingReport): TopLevelSpec {
  const values = report.changes!
    .filter((change) => change.scope === 'type')
    .flatMap((change) => [
      { type: change.name, window: 'previous window', events: change.previous },
      { type: change.name, window: 'this window', events: change.current },
    ]);
  return {
    width: CHART_WIDTH - 260,
    height: { step: 14 },
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'type', type: 'nominal', sort: null, title: null, axis: { labelLimit: 180 } },
      yOffset: { field: 'window', type: 'nominal', sort: ['previous window', 'this window'] },
      x: { field: 'events', type: 'quantitative', title: 'events', axis: { tickMinStep: 1 } },
      color: { field: 'window', type: 'nominal', title: null, scale: { domain: ['previous window', 'this window'], range: ['#9ca3af', '#2563eb'] } },
    },
  } as TopLevelSpec;
}
