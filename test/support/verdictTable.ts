import type { BigQuery } from '@google-cloud/bigquery';
import { HealVerdictTable } from '../../shared/healVerdictTable.js';

/** One row of the heal_verdicts table, as the job exports it. */
export interface VerdictRow {
  healing_id: string;
  healing_type: string;
  verdict: 'held' | 'premature' | 'gone' | 'undone';
  checked_at: Date;
  healed_at: Date | null;
  stall_minutes: number | null;
  late_players: number | null;
  progress_after_minutes: number | null;
  actor?: string | null;
  reason?: string | null;
}

/** Creates the verdict table (and its dataset when missing), from its schema and options files as deploy does. */
export async function createVerdictTable(bigquery: BigQuery, dataset: string, table: string): Promise<void> {
  await new HealVerdictTable(bigquery, dataset, table).ensureExists();
}

/** Streams verdict rows into the table, each with its `<healing_id>:<verdict>` insert id. */
export async function insertVerdicts(bigquery: BigQuery, dataset: string, table: string, rows: readonly VerdictRow[]): Promise<void> {
  const raw = rows.map((row) => ({
    insertId: `${row.healing_id}:${row.verdict}`,
    json: { actor: null, reason: null, ...row, checked_at: row.checked_at.toISOString(), healed_at: row.healed_at?.toISOString() ?? null },
  }));
  for (let start = 0; start < raw.length; start += 500) {
    await bigquery.dataset(dataset).table(table).insert(raw.slice(start, start + 500), { raw: true });
  }
}
