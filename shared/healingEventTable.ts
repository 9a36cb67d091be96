import type { BigQuery, Table, TableMetadata } from '@google-cloud/bigquery';
import schema from '../schemas/healing_events.json' with { type: 'json' };
import tableOptions from '../schemas/healing_events.table.json' with { type: 'json' };
import { type HealingEvent, toBigQueryRow } from './healingEvent.js';

/** Rows per streaming insert request; BigQuery recommends at most 500. */
const INSERT_CHUNK = 500;

export interface InsertOutcome {
  /** Ids BigQuery accepted. */
  inserted: string[];
  /** Ids BigQuery refused, with its reason; they stay pending. */
  rejected: Array<{ healing_id: string; reason: string }>;
}

/** The BigQuery table of healing events: created from the schema file, written by streaming insert. */
export class HealingEventTable {
  readonly table: Table;

  constructor(
    readonly bigquery: BigQuery,
    readonly dataset: string,
    readonly tableName: string,
  ) {
    this.table = bigquery.dataset(dataset).table(tableName);
  }

  /** Fully qualified name for SQL, e.g. `project.dataset.table`. */
  get sqlName(): string {
    return `\`${this.bigquery.projectId}.${this.dataset}.${this.tableName}\``;
  }

  /** Creates the dataset and the partitioned, clustered table when missing. */
  async ensureExists(): Promise<void> {
    const dataset = this.bigquery.dataset(this.dataset);
    const [datasetExists] = await dataset.exists();
    if (!datasetExists) await dataset.create();
    const [tableExists] = await this.table.exists();
    if (!tableExists) {
      const metadata: TableMetadata = { schema: { fields: schema }, ...tableOptions };
      await this.table.create(metadata);
    }
  }

  /** Streams the events with their healing_id as insert id, so a retried insert is deduplicated by BigQuery. */
  async insert(events: HealingEvent[]): Promise<InsertOutcome> {
    const outcome: InsertOutcome = { inserted: [], rejected: [] };
    for (let start = 0; start < events.length; start += INSERT_CHUNK) {
      const chunk = events.slice(start, start + INSERT_CHUNK);
      const rows = chunk.map((event) => ({ insertId: event.healing_id, json: toBigQueryRow(event) }));
      try {
        await this.table.insert(rows, { raw: true });
        outcome.inserted.push(...chunk.map((event) => event.healing_id));
      } catch (error) {
        const failed = partialFailures(error);
        if (failed === undefined) throw error;
        for (const event of chunk) {
          const reason = failed.get(event.healing_id);
          if (reason === undefined) outcome.inserted.push(event.healing_id);
          else outcome.rejected.push({ healing_id: event.healing_id, reason });
        }
      }
    }
    return outcome;
  }
}

/** For a PartialFailureError, the refused rows' ids and reasons; undefined for any other error. */
function partialFailures(error: unknown): Map<string, string> | undefined {
  if (!(error instanceof Error) || error.name !== 'PartialFailureError') return undefined;
  const errors = (error as Error & { errors?: Array<{ row?: { insertId?: string; json?: { healing_id?: string } }; errors?: Array<{ message?: string }> }> }).errors ?? [];
  const failed = new Map<string, string>();
  for (const entry of errors) {
    const id = entry.row?.json?.healing_id ?? entry.row?.insertId;
    if (id !== undefined) failed.set(id, entry.errors?.map((e) => e.message).join('; ') || 'rejected');
  }
  return failed;
}
