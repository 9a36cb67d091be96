import type { BigQuery, TableField } from '@google-cloud/bigquery';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import schema from '../schemas/healing_events.json' with { type: 'json' };
import tableOptions from '../schemas/healing_events.table.json' with { type: 'json' };
import { BigQueryTable, isTransient, type RequestOptions } from './bigQueryTable.js';
import { type HealingEvent, toBigQueryRow } from './healingEvent.js';
import { planRequests } from './outbox/requestPlan.js';

/** Attempts of one insert request while BigQuery answers 5xx or 429 or the connection fails (within the caller's deadline). */
const INSERT_ATTEMPTS = 4;

export interface InsertOutcome {
  /** Ids BigQuery accepted. */
  inserted: string[];
  /** Ids BigQuery refused, with its reason; `permanent` when the row itself is invalid and resending cannot help. */
  rejected: Array<{ healing_id: string; reason: string; permanent: boolean }>;
}

/** The BigQuery table of healing events (`HEALING_TABLE`), made from schemas/healing_events.json and its options file. */
export class HealingEventTable extends BigQueryTable {
  constructor(bigquery: BigQuery, dataset: string, tableName: string) {
    super(bigquery, dataset, tableName, { schema: schema as TableField[], options: tableOptions });
  }

  /**
   * Writes events straight into the table, for history that never went through the outbox (the
   * demo's past week, tests): requests sized by bytes, the healing_id as insert id, a failed
   * request retried as it is. The job exports through the outbox, which looks up before it resends.
   */
  async insert(events: HealingEvent[], { signal }: RequestOptions = {}): Promise<InsertOutcome> {
    const outcome: InsertOutcome = { inserted: [], rejected: [] };
    const rows = events.map((event) => JSON.stringify({ insertId: event.healing_id, json: toBigQueryRow(event) }));
    const plan = planRequests(rows.map((row) => Buffer.byteLength(row)));
    for (const index of plan.tooLarge) outcome.rejected.push({ healing_id: events[index]!.healing_id, reason: 'too large for one insert request', permanent: true });
    const policy = retry(handleWhen(isTransient), { maxAttempts: INSERT_ATTEMPTS - 1, backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 4_000 }) });
    for (const request of plan.requests) {
      const refused = await policy.execute(({ signal: attempt }) => this.insertAll(request.map((index) => rows[index]!), { signal: attempt }), signal);
      const refusedAt = new Map(refused.map((row) => [row.index, row]));
      request.forEach((eventIndex, position) => {
        const healingId = events[eventIndex]!.healing_id;
        const refusal = refusedAt.get(position);
        if (refusal === undefined) outcome.inserted.push(healingId);
        else outcome.rejected.push({ healing_id: healingId, reason: refusal.reason, permanent: refusal.permanent });
      });
    }
    return outcome;
  }
}
