import type { DateTime } from 'luxon';
import { BATCH_CLEANUP } from '../../shared/batchCleanup.js';
import type { AnalysisRequest } from '../analysisRequest.js';
import type { BucketPlan } from '../timeWindow.js';
import { bucketSegments, bucketSql } from './bucketSlots.js';
import { collapseLongNumbersSql, digitClassesSql, fingerprintSql } from './causeFingerprint.js';

/** A parameterised query: user values travel only in `params`. */
export interface QueryStatement {
  query: string;
  params: Record<string, string | Date>;
  types: Record<string, string>;
}

export type AnalysisRowKind = 'type' | 'type_cause' | 'cause' | 'trend' | 'time_to_heal' | 'stall_rule' | 'verdict_type' | 'verdict' | 'premature';

/** `current` is the window asked for; `previous` the window of the same length just before it (with `--compare`). */
export type Period = 'current' | 'previous';

/**
 * One row of the analysis, for one period. `type`: per healing type, `later_events` counting the second
 * half of the window. `type_cause`: each type's most frequent cause. `cause`: every cause in the top
 * `--top` of either period, `position` its rank in this period. `trend`: events per type and bucket of the
 * current window, `position` the bucket's index in the plan. `time_to_heal`: successful batch_cleanup
 * heals with a readable last progress (`events`), minutes from it to the heal as median and p95.
 * `stall_rule`: successful batch_cleanup heals of the current window per `metadata.rule.stall_minutes`
 * (`stall_minutes`), `position` the last bucket it was seen in. `verdict_type`: a healing type that has
 * verdicts. `verdict`: successful heals per type and latest verdict.
 * `premature`: premature heals per `stall_minutes` and `progress_after_minutes`, `late_players` summed.
 */
export interface AnalysisRow {
  kind: AnalysisRowKind;
  period: Period;
  healing_type: string | null;
  cause: string | null;
  verdict: string | null;
  position: number | null;
  events: number;
  failures: number;
  later_events: number | null;
  late_players: number | null;
  median_minutes: number | null;
  p95_minutes: number | null;
  stall_minutes: number | null;
  progress_after_minutes: number | null;
}

/** The tables the analysis reads, as SQL names; `verdicts` is undefined when the table does not exist. */
export interface AnalysisTables {
  events: string;
  verdicts: string | undefined;
}

const COLUMNS = [
  ['kind', 'STRING'],
  ['period', 'STRING'],
  ['healing_type', 'STRING'],
  ['cause', 'STRING'],
  ['verdict', 'STRING'],
  ['position', 'INT64'],
  ['events', 'INT64'],
  ['failures', 'INT64'],
  ['later_events', 'INT64'],
  ['late_players', 'INT64'],
  ['median_minutes', 'FLOAT64'],
  ['p95_minutes', 'FLOAT64'],
  ['stall_minutes', 'FLOAT64'],
  ['progress_after_minutes', 'FLOAT64'],
] as const;
type Column = (typeof COLUMNS)[number][0];

/** One branch of the result: the given columns, every other one NULL, in the fixed column order. */
function select(values: Partial<Record<Column, string>>, rest: string): string {
  const list = COLUMNS.map(([name, type]) => `${values[name] ?? `CAST(NULL AS ${type})`} AS ${name}`);
  return `SELECT ${list.join(', ')}\n${rest}`;
}

/**
 * The whole analysis as one query over the window's events (and the previous window's, with
 * `--compare`) and, when the table exists, their verdicts; each healing_id once. Rows returned:
 * periods × (2 × types + 2 × top + 1 + verdict types × 4) + verdict types + types × buckets with
 * events + stall rules + distinct premature silences, whatever the number of events.
 *
 * The BigQuery emulator decodes every value for every function it applies, compiles a regular
 * expression anew for each row, and joins by comparing every pair of rows. So each stored row is read
 * once into `facts`, everything dear is computed there once, and the rest is counted from it; a
 * reason is fingerprinted once per group of reasons certain to share the fingerprint; a heal meets its
 * verdict through `IN`, never a join.
 */
export function analysisStatement(request: AnalysisRequest, plan: BucketPlan, tables: AnalysisTables): QueryStatement {
  const { window, previousWindow } = request;
  const micros = (time: DateTime) => String(time.toJSDate().getTime() * 1000);
  const midpoint = window.start.plus({ milliseconds: window.end.diff(window.start).as('milliseconds') / 2 });
  const buckets = bucketSql(bucketSegments(plan, window.end), 'micros');
  const params: Record<string, string | Date> = {
    range_start: (previousWindow ?? window).start.toJSDate(),
    end: window.end.toJSDate(),
    midpoint: micros(midpoint),
    top: String(request.top),
    // Time to heal and the stall rule are measured on batch_cleanup heals: their events keep the batch's last progress and the rule.
    batch_cleanup: BATCH_CLEANUP,
    ...buckets.params,
  };
  const types: Record<string, string> = Object.fromEntries(['midpoint', 'top', ...Object.keys(buckets.params)].map((name) => [name, 'INT64']));
  let slot = buckets.sql;
  if (previousWindow !== undefined) {
    params.start = micros(window.start);
    types.start = 'INT64';
    slot = `IF(micros < @start, -1, ${slot})`;
  }
  const typeFilter = request.healingType === undefined ? '' : ' AND healing_type = @healing_type';
  if (request.healingType !== undefined) params.healing_type = request.healingType;
  const period = `IF(slot >= 0, 'current', 'previous')`;
  // IF is the emulator's own CASE, which skips what it need not compute; AND is a function of both sides.
  const ifBatchHeal = (value: string) => `IF(success, IF(healing_type = @batch_cleanup, ${value}, NULL), NULL)`;

  const ctes = [
    `facts AS (
  -- Every stored row of the windows, read once: its time in microseconds, the named root cause or the
  -- reason with its digits as classes, and the batch's last progress and stall rule (JSON) for a batch heal.
  SELECT healing_id, UNIX_MICROS(timestamp) AS micros, healing_type, success,
    NULLIF(TRIM(root_cause), '') AS named_cause, trigger_reason, ${digitClassesSql('trigger_reason')} AS reason_shape,
    ${ifBatchHeal(`DIV(UNIX_MICROS(timestamp) - UNIX_MICROS(SAFE.TIMESTAMP(JSON_VALUE(before_state, '$.updated_at'))), 1000000)`)} AS heal_seconds,
    ${ifBatchHeal(`SAFE_CAST(JSON_VALUE(metadata, '$.rule.stall_minutes') AS FLOAT64)`)} AS stall_rule
  FROM ${tables.events}
  WHERE ${windowFilter(request, 'range_start')}
)`,
    `repeated AS (
  -- healing_ids stored more than once (an insert sent twice)
  SELECT healing_id FROM facts GROUP BY healing_id HAVING COUNT(*) > 1
)`,
    `window_events AS (
  -- Each healing_id once, its first copy, with its bucket in the current window (-1: the previous window).
  SELECT *, ${slot} AS slot
  FROM (
    SELECT * FROM facts WHERE healing_id NOT IN (SELECT healing_id FROM repeated)
    UNION ALL
    SELECT * EXCEPT (copy)
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY micros) AS copy FROM facts WHERE healing_id IN (SELECT healing_id FROM repeated))
    WHERE copy = 1
  )
)`,
    `kept_code_shapes AS (
  -- Reason shapes whose fingerprint keeps a status code: their reasons are told apart by their own digits.
  -- (Shapes of events with a named root cause are among them too; they are never looked up.)
  SELECT reason_shape
  FROM (SELECT reason_shape FROM window_events GROUP BY reason_shape)
  WHERE REGEXP_CONTAINS(${fingerprintSql('reason_shape')}, r'[0-9]')
)`,
    `cells AS (
  -- The events counted once, by everything the report shows them by. An event without a named root
  -- cause is grouped by its reason's shape, or by its reason but for long numbers when the shape keeps
  -- a status code, and fingerprinted once per group: every reason of a group has the same fingerprint.
  SELECT ${period} AS period, slot, healing_type, IF(named_cause IS NULL, ${fingerprintSql('cause_key')}, cause_key) AS cause, stall_rule,
    events, events - successes AS failures, later_events
  FROM (
    SELECT slot, healing_type, named_cause,
      IFNULL(named_cause, IF(reason_shape IN (SELECT reason_shape FROM kept_code_shapes), ${collapseLongNumbersSql('trigger_reason')}, reason_shape)) AS cause_key,
      stall_rule, COUNT(*) AS events, COUNTIF(success) AS successes, COUNTIF(micros >= @midpoint) AS later_events
    FROM window_events
    GROUP BY slot, healing_type, named_cause, cause_key, stall_rule
  )
)`,
    `causes AS (
  SELECT period, cause, SUM(events) AS events, SUM(failures) AS failures,
    ROW_NUMBER() OVER (PARTITION BY period ORDER BY SUM(events) DESC, cause) AS position
  FROM cells
  GROUP BY period, cause
)`,
    `type_causes AS (
  SELECT period, healing_type, cause, SUM(events) AS events, SUM(failures) AS failures,
    ROW_NUMBER() OVER (PARTITION BY period, healing_type ORDER BY SUM(events) DESC, cause) AS position
  FROM cells
  GROUP BY period, healing_type, cause
)`,
    `heals AS (
  SELECT slot, heal_seconds FROM window_events WHERE heal_seconds >= 0
)`,
    `heal_quantiles AS (
  -- Sorted first: BigQuery ignores the order, but the goccy emulator's APPROX_QUANTILES takes its input as sorted.
  ${healQuantiles(previousWindow !== undefined)}
)`,
  ];
  const branches = [
    select(
      { kind: `'type'`, period: 'period', healing_type: 'healing_type', events: 'SUM(events)', failures: 'SUM(failures)', later_events: 'SUM(later_events)' },
      'FROM cells\nGROUP BY period, healing_type',
    ),
    select(
      { kind: `'type_cause'`, period: 'period', healing_type: 'healing_type', cause: 'cause', position: 'position', events: 'events', failures: 'failures' },
      'FROM type_causes\nWHERE position = 1',
    ),
    select(
      { kind: `'cause'`, period: 'period', cause: 'cause', position: 'position', events: 'events', failures: 'failures' },
      'FROM causes\nWHERE cause IN (SELECT cause FROM causes WHERE position <= @top)',
    ),
    select(
      { kind: `'trend'`, period: 'period', healing_type: 'healing_type', position: 'slot', events: 'SUM(events)', failures: 'SUM(failures)' },
      'FROM cells\nWHERE slot >= 0\nGROUP BY period, healing_type, slot',
    ),
    select(
      {
        kind: `'time_to_heal'`,
        period: 'period',
        healing_type: '@batch_cleanup',
        events: 'heals',
        failures: '0',
        median_minutes: 'quantiles[SAFE_OFFSET(50)] / 60',
        p95_minutes: 'quantiles[SAFE_OFFSET(95)] / 60',
      },
      'FROM heal_quantiles\nWHERE heals > 0',
    ),
    select(
      { kind: `'stall_rule'`, period: 'period', healing_type: '@batch_cleanup', stall_minutes: 'stall_rule', events: 'SUM(events)', position: 'MAX(slot)' },
      'FROM cells\nWHERE stall_rule IS NOT NULL AND slot >= 0\nGROUP BY period, stall_rule',
    ),
  ];

  if (tables.verdicts !== undefined) {
    const verdictFilter = `checked_at >= @range_start${typeFilter}`;
    const verdictRows = `SELECT healing_id, healing_type, verdict, UNIX_MICROS(checked_at) AS checked, late_players, stall_minutes, progress_after_minutes
    FROM ${tables.verdicts}
    WHERE ${verdictFilter}`;
    const periodOf =
      previousWindow === undefined
        ? `IF(healing_id IN (SELECT healing_id FROM healed), 'current', NULL)`
        : `IF(healing_id IN (SELECT healing_id FROM healed WHERE slot >= 0), 'current', IF(healing_id IN (SELECT healing_id FROM healed WHERE slot < 0), 'previous', NULL))`;
    ctes.push(
      `latest_verdicts AS (
  -- Each heal's latest verdict (an undone after a held is the heal's second row).
  SELECT healing_id, healing_type, MAX_BY(verdict, checked) AS verdict
  FROM (${verdictRows})
  GROUP BY healing_id, healing_type
)`,
      `verdict_types AS (
  -- The healing types that get verdicts, as the table says.
  SELECT DISTINCT healing_type FROM latest_verdicts
)`,
      `healed AS (
  -- The successful heals of the windows, of those types.
  SELECT healing_id, slot FROM window_events WHERE IF(success, healing_type IN (SELECT healing_type FROM verdict_types), FALSE)
)`,
      `heal_verdicts AS (
  -- The latest verdict of each successful heal of the windows: a heal meets its verdict by healing_id.
  SELECT * FROM (SELECT healing_id, ${periodOf} AS period, healing_type, verdict FROM latest_verdicts)
  WHERE period IS NOT NULL
)`,
      `premature_heals AS (
  -- The heals whose latest verdict is premature, with that verdict's numbers.
  SELECT healing_id, healing_type, MAX_BY(late_players, checked) AS late_players, MAX_BY(stall_minutes, checked) AS stall_minutes,
    MAX_BY(progress_after_minutes, checked) AS progress_after_minutes,
    IF(healing_id IN (SELECT healing_id FROM heal_verdicts WHERE verdict = 'premature' AND period = 'current'), 'current', 'previous') AS period
  FROM (${verdictRows})
  WHERE verdict = 'premature' AND healing_id IN (SELECT healing_id FROM heal_verdicts WHERE verdict = 'premature')
  GROUP BY healing_id, healing_type
)`,
    );
    branches.push(
      select({ kind: `'verdict_type'`, period: `'current'`, healing_type: 'healing_type', events: '0', failures: '0' }, 'FROM verdict_types'),
      select(
        { kind: `'verdict'`, period: 'period', healing_type: 'healing_type', verdict: 'verdict', events: 'COUNT(*)', failures: '0' },
        'FROM heal_verdicts\nGROUP BY period, healing_type, verdict',
      ),
      select(
        {
          kind: `'premature'`,
          period: 'period',
          healing_type: 'healing_type',
          stall_minutes: 'stall_minutes',
          progress_after_minutes: 'progress_after_minutes',
          events: 'COUNT(*)',
          failures: '0',
          late_players: 'SUM(late_players)',
        },
        'FROM premature_heals\nGROUP BY period, healing_type, stall_minutes, progress_after_minutes',
      ),
    );
  }
  const query = `\nWITH ${ctes.join(',\n')}\n${branches.join('\nUNION ALL\n')}`;
  return { query, params, types };
}

/** Median and p95 seconds from last progress to heal, per period, each period's seconds sorted as INT64 (a native sort). */
function healQuantiles(withPrevious: boolean): string {
  const one = (name: Period, condition: string) =>
    `SELECT '${name}' AS period, COUNT(*) AS heals, APPROX_QUANTILES(heal_seconds, 100) AS quantiles
  FROM (SELECT heal_seconds FROM heals WHERE ${condition} ORDER BY heal_seconds)`;
  return withPrevious ? `${one('current', 'slot >= 0')}\n  UNION ALL\n  ${one('previous', 'slot < 0')}` : one('current', 'TRUE');
}

/**
 * The filter both queries share: on the partition column, so BigQuery reads only the window's days,
 * and on the clustering column when a type is asked for.
 */
export function windowFilter(request: Pick<AnalysisRequest, 'healingType'>, startParameter = 'start'): string {
  const type = request.healingType === undefined ? '' : ' AND healing_type = @healing_type';
  return `timestamp >= @${startParameter} AND timestamp < @end${type}`;
}
