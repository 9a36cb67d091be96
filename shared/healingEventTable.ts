import type { BigQuery, Table, TableMetadata } from '@google-cloud/bigquery';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import schema from '../schemas/healing_events.json' with { type: 'json' };
import tableOptions from '../schemas/healing_events.table.json' with { type: 'json' };
import { type HealingEvent, toBigQueryRow } from './healingEvent.js';

/** Rows per streaming insert request; BigQuery recommends at most 500. */
const INSERT_CHUNK = 500;
/** Attempts of one insert request while BigQuery answers 5xx or 429 or the connection fails (within the caller's deadline). */
const INSERT_ATTEMPTS = 4;

export interface InsertOutcome {
  /** Ids BigQuery accepted. */
  inserted: string[];
  /** Ids BigQuery refused, with its reason; `permanent` when the row itself is invalid and resending cannot help. */
  rejected: Array<{ healing_id: string; reason: string; permanent: boolean }>;
}

export interface InsertOptions {
  /** Aborts the request in flight (and any retry) when it fires: the export's deadline. */
  signal?: AbortSignal;
}

/** BigQuery answered with an HTTP error; `status` says which. */
export class BigQueryHttpError extends Error {
  override name = 'BigQueryHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
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

  /**
   * Streams the events with their healing_id as insert id, so a repeated insert is deduplicated by
   * BigQuery. Invalid rows are skipped and reported; the others go in. The request is aborted when
   * `signal` fires, so no insert outlives its deadline (the client library's own retries can last
   * minutes and cannot be aborted, hence this request is made here).
   */
  async insert(events: HealingEvent[], { signal }: InsertOptions = {}): Promise<InsertOutcome> {
    const outcome: InsertOutcome = { inserted: [], rejected: [] };
    for (let start = 0; start < events.length; start += INSERT_CHUNK) {
      const chunk = events.slice(start, start + INSERT_CHUNK);
      const body = {
        kind: 'bigquery#tableDataInsertAllRequest',
        skipInvalidRows: true,
        rows: chunk.map((event) => ({ insertId: event.healing_id, json: toBigQueryRow(event) })),
      };
      const answer = (await this.postWithRetry('insertAll', body, signal)) as { insertErrors?: InsertError[] };
      const refused = new Map<number, InsertError>((answer.insertErrors ?? []).map((error) => [error.index, error]));
      chunk.forEach((event, index) => {
        const error = refused.get(index);
        if (error === undefined) outcome.inserted.push(event.healing_id);
        else outcome.rejected.push({ healing_id: event.healing_id, ...describeRefusal(error) });
      });
    }
    return outcome;
  }

  private async postWithRetry(method: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const policy = retry(handleWhen(isTransient), {
      maxAttempts: INSERT_ATTEMPTS - 1,
      backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 4_000 }),
    });
    return policy.execute(({ signal: attemptSignal }) => this.post(method, body, attemptSignal), signal);
  }

  private async post(method: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const url = `${this.bigquery.apiEndpoint}/bigquery/v2/projects/${encodeURIComponent(this.bigquery.projectId)}/datasets/${encodeURIComponent(this.dataset)}/tables/${encodeURIComponent(this.tableName)}/${method}`;
    const headers = new Headers({ 'content-type': 'application/json' });
    if (needsCredentials(this.bigquery.apiEndpoint)) {
      const auth = await this.bigquery.authClient.getRequestHeaders(url);
      new Headers(auth as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => headers.set(key, value));
    }
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
    const text = await response.text();
    if (!response.ok) throw new BigQueryHttpError(response.status, `BigQuery answered HTTP ${response.status}: ${errorMessage(text)}`);
    return text === '' ? {} : JSON.parse(text);
  }
}

interface InsertError {
  index: number;
  errors?: Array<{ reason?: string; message?: string }>;
}

/** `invalid` means the row itself is wrong; other reasons (`backendError`, `timeout`, `stopped`) may pass on a later try. */
function describeRefusal(error: InsertError): { reason: string; permanent: boolean } {
  const errors = error.errors ?? [];
  const reason = errors.map((e) => [e.reason, e.message].filter(Boolean).join(': ')).join('; ') || 'refused';
  return { reason, permanent: errors.some((e) => e.reason === 'invalid') };
}

function isTransient(error: unknown): boolean {
  if (error instanceof BigQueryHttpError) return error.status >= 500 || error.status === 429;
  return error instanceof TypeError; // fetch's network failure (connection refused or reset)
}

/** Google's endpoints need an access token; an emulator on any other host does not. */
function needsCredentials(endpoint: string): boolean {
  return new URL(endpoint).hostname.endsWith('.googleapis.com');
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: fall through to the text itself
  }
  return body.trim().split('\n')[0]?.slice(0, 300) || '(no body)';
}
