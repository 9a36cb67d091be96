import type { Firestore, Query } from '@google-cloud/firestore';
import type { BigQueryTable } from '../shared/bigQueryTable.js';
import type { JobConfig } from '../shared/config.js';
import { firstLine } from '../shared/errorText.js';
import { EXIT_FAILED, EXIT_OK } from '../shared/exitCodes.js';
import { isFailedPrecondition } from '../shared/firestoreErrors.js';
import { TIMED_OUT, within } from '../shared/timeLimit.js';
import type { HealingEventTable } from '../shared/healingEventTable.js';
import { HealVerdictTable } from '../shared/healVerdictTable.js';
import { waitingQuery } from '../shared/alerts/AlertGate.js';
import { countQueries, givenVerdictQuery, overlongTypeQuery, prematureAggregation, recentQuery, verdictQueries } from '../shared/alerts/PatternDetector.js';
import { pendingQuery } from '../shared/outbox/claims.js';
import { EVENT_FIELDS } from '../shared/outbox/eventDocument.js';
import { VERDICT_FIELDS } from '../shared/outbox/verdictDocument.js';
import { BATCH_CLEANUP } from '../shared/batchCleanup.js';
import { candidatesQuery } from './candidates.js';
import { activeExclusionsQuery, controlCollection, PAUSE_DOCUMENT } from './control/controlCollection.js';
import { executionHealsQuery } from './operator/executionHeals.js';
import { dueHealsQuery, earlierHealsQuery } from './verdicts/verdictQueries.js';

/** One check may take this long before it counts as failed. */
const CHECK_TIMEOUT_MS = 30_000;

export interface SelfCheckDependencies {
  config: JobConfig;
  firestore: Firestore;
  table: HealingEventTable;
  /** Receives one line per check, then a closing line. */
  write: (line: string) => void;
}

interface Check {
  name: string;
  run: () => Promise<void>;
}

/**
 * Checks a deployment without writing anything: every query the job makes, with a limit of one (so
 * a missing or building index shows up here, not in the next run), and the BigQuery table's columns.
 */
export async function selfCheck({ config, firestore, table, write }: SelfCheckDependencies): Promise<number> {
  const batches = firestore.collection(config.batchCollection);
  const events = firestore.collection(config.healingCollection);
  const now = new Date();
  const rule = { stallMinutes: config.stallMinutes, minCompletionPct: config.minCompletionPct, maxAgeHours: config.maxAgeHours };
  const counts = countQueries(events, BATCH_CLEANUP, now);
  const verdicts = verdictQueries(events, BATCH_CLEANUP, now);
  const verifyFrom = new Date(now.getTime() - config.verifyHours * 3_600_000);
  const get = (query: Query) => async () => void (await query.limit(1).get());
  const count = (query: Query) => async () => void (await query.limit(1).count().get());
  const control = controlCollection(firestore, config.healingCollection);
  const verdictTable = new HealVerdictTable(table.bigquery, table.dataset, config.verdictTable);
  const checks: Check[] = [
    { name: `pause document ${control.id}/${PAUSE_DOCUMENT}`, run: async () => void (await control.doc(PAUSE_DOCUMENT).get()) },
    { name: `active exclusions query on ${control.id} (kind, until)`, run: get(activeExclusionsQuery(control, now)) },
    { name: `candidate batches query on ${config.batchCollection} (is_complete, created_at)`, run: get(candidatesQuery(batches, rule, now)) },
    { name: `pending events query on ${config.healingCollection} (${EVENT_FIELDS.exported})`, run: get(pendingQuery(events, EVENT_FIELDS)) },
    { name: `pending events count on ${config.healingCollection}`, run: count(pendingQuery(events, EVENT_FIELDS)) },
    { name: `pending verdicts query on ${config.healingCollection} (${VERDICT_FIELDS.exported})`, run: get(pendingQuery(events, VERDICT_FIELDS)) },
    { name: `pending verdicts count on ${config.healingCollection}`, run: count(pendingQuery(events, VERDICT_FIELDS)) },
    { name: `events per type count on ${config.healingCollection} (healing_type, timestamp desc)`, run: count(counts.lastDay) },
    { name: `failures per type count on ${config.healingCollection} (healing_type, success, timestamp desc)`, run: count(counts.failuresLastDay) },
    { name: `recent events query on ${config.healingCollection} (healing_type, timestamp desc)`, run: get(recentQuery(events, BATCH_CLEANUP)) },
    { name: `events of a type name too long to query by equality on ${config.healingCollection} (healing_type range, timestamp desc)`, run: get(overlongTypeQuery(events, 'x'.repeat(2_000), now)) },
    { name: `held verdicts count on ${config.healingCollection} (healing_type, verdict.verdict, verdict.checked_at desc)`, run: count(verdicts.held) },
    {
      name: `premature verdicts count and late players sum on ${config.healingCollection} (healing_type, verdict.verdict, verdict.checked_at desc, verdict.late_players)`,
      run: async () => void (await prematureAggregation(verdicts.premature.limit(1)).get()),
    },
    { name: `premature verdicts query on ${config.healingCollection} (healing_type, verdict.verdict, verdict.checked_at desc)`, run: get(verdicts.premature) },
    { name: `heals of an execution query on ${config.healingCollection} (metadata.execution, healing_type, success), for undo --execution`, run: get(executionHealsQuery(events, config.executionName ?? 'local')) },
    { name: `undone verdicts count on ${config.healingCollection} (healing_type, verdict.verdict, verdict.checked_at desc), for status`, run: count(givenVerdictQuery(events, BATCH_CLEANUP, 'undone', new Date(now.getTime() - 86_400_000))) },
    { name: `alert state query on ${config.healingCollection}_alert_state (retry)`, run: get(waitingQuery(firestore.collection(`${config.healingCollection}_alert_state`))) },
    { name: `heals awaiting a verdict query on ${config.healingCollection} (verdict_due, timestamp)`, run: get(dueHealsQuery(events, verifyFrom, now)) },
    { name: `earlier heals query on ${config.healingCollection} (healing_type, success, timestamp desc)`, run: get(earlierHealsQuery(events, verifyFrom, now)) },
    { name: `BigQuery table ${table.bigquery.projectId}.${table.dataset}.${table.tableName}`, run: () => checkTable(table) },
    { name: `BigQuery table ${table.bigquery.projectId}.${table.dataset}.${verdictTable.tableName}`, run: () => checkTable(verdictTable) },
  ];
  let failed = 0;
  for (const check of checks) {
    const problem = await within(check.run(), CHECK_TIMEOUT_MS).then((done) => (done === TIMED_OUT ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s` : undefined), explainCheckFailure);
    if (problem === undefined) write(`ok    ${check.name}`);
    else {
      failed += 1;
      write(`FAIL  ${check.name}: ${problem}`);
    }
  }
  write(failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

/** The table exists and has every column of the schema file with its type and mode. */
async function checkTable(table: BigQueryTable): Promise<void> {
  const [exists] = await table.table.exists();
  if (!exists) throw new Error('the table does not exist; deploy creates it (deploy/deploy.sh --only bigquery)');
  const [metadata] = await table.table.getMetadata();
  const columns = new Map<string, { type?: string; mode?: string }>(
    ((metadata.schema?.fields ?? []) as Array<{ name: string; type?: string; mode?: string }>).map((field) => [field.name, field]),
  );
  const problems = table.schema.flatMap((expected) => {
    const actual = columns.get(expected.name ?? '');
    if (actual === undefined) return [`column ${expected.name} is missing`];
    const type = normalType(actual.type);
    if (type !== normalType(expected.type)) return [`column ${expected.name} is ${type}, not ${expected.type}`];
    return [];
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
}

function normalType(type: string | undefined): string {
  const upper = (type ?? '').toUpperCase();
  return ({ BOOL: 'BOOLEAN', INT64: 'INTEGER', FLOAT64: 'FLOAT' } as Record<string, string>)[upper] ?? upper;
}

/** Why a check failed, in one line: a missing index names Firestore's link to create it; a building one says so. */
export function explainCheckFailure(error: unknown): string {
  const text = firstLine(error);
  const link = /https:\/\/\S+/.exec(error instanceof Error ? error.message : String(error))?.[0];
  if (isFailedPrecondition(error) && /currently building/i.test(text)) return `index still building${link ? `; see ${link}` : ''}`;
  if (isFailedPrecondition(error) && /requires an index/i.test(text)) return `index missing${link ? `; create it: ${link}` : ''}`;
  return text;
}
