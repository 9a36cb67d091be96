import type { BigQuery, Table, TableField, TableMetadata } from '@google-cloud/bigquery';

/** What a table is made of: its schema file and its options file (partitioning, clustering, description). */
export interface TableDefinition {
  schema: TableField[];
  options: Omit<TableMetadata, 'schema'>;
}

/** One row BigQuery refused in an insert request it otherwise took. */
export interface RefusedRow {
  /** Position of the row in the request. */
  index: number;
  reason: string;
  /** The row itself is invalid: sending it again cannot help. */
  permanent: boolean;
}

/** A named query parameter; `ARRAY<STRING>` takes a list. */
export type QueryParameter =
  | { name: string; type: 'STRING' | 'TIMESTAMP'; value: string }
  | { name: string; type: 'ARRAY<STRING>'; value: string[] };

export interface RequestOptions {
  /** Aborts the request in flight when it fires: the export's deadline. */
  signal?: AbortSignal;
}

/** BigQuery answered with an HTTP error; `status` says which. */
class BigQueryHttpError extends Error {
  override name = 'BigQueryHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How long one query may run on BigQuery's side before it answers "not complete yet" and is asked again. */
const QUERY_WAIT_MS = 10_000;

/**
 * A BigQuery table of this project: created from its schema and options files, written by
 * streaming insert and read by query, each request made here so it can be aborted at a deadline
 * (the client library's own retries can last minutes and cannot be aborted).
 */
export class BigQueryTable {
  readonly table: Table;

  constructor(
    readonly bigquery: BigQuery,
    readonly dataset: string,
    readonly tableName: string,
    private readonly definition: TableDefinition,
  ) {
    this.table = bigquery.dataset(dataset).table(tableName);
  }

  /** Fully qualified name for SQL, e.g. `project.dataset.table`. */
  get sqlName(): string {
    return `\`${this.bigquery.projectId}.${this.dataset}.${this.tableName}\``;
  }

  /** The schema file's columns. */
  get schema(): TableField[] {
    return this.definition.schema;
  }

  /** Creates the dataset and the partitioned, clustered table when missing. */
  async ensureExists(): Promise<void> {
    const dataset = this.bigquery.dataset(this.dataset);
    const [datasetExists] = await dataset.exists();
    if (!datasetExists) await dataset.create().catch((error: unknown) => ignoreAlreadyExists(error));
    const [tableExists] = await this.table.exists();
    if (!tableExists) {
      await this.table.create({ schema: { fields: this.definition.schema }, ...this.definition.options }).catch((error: unknown) => ignoreAlreadyExists(error));
    }
  }

  /**
   * Sends one insertAll request made of `rows`, each the JSON text of `{ insertId, json }`, and
   * returns the rows BigQuery refused (the others went in). Never retries: after a failure the rows
   * may or may not be in the table, and only the caller knows whether to look before sending again.
   */
  async insertAll(rows: string[], { signal }: RequestOptions = {}): Promise<RefusedRow[]> {
    const answer = (await this.post(`${this.tablePath}/insertAll`, insertAllBody(rows), signal)) as { insertErrors?: InsertError[] };
    return (answer.insertErrors ?? []).map((error) => ({ index: error.index, ...describeRefusal(error) }));
  }

  /** Runs a standard SQL query with named parameters; each result row as its column values (text, or null). */
  async query(sql: string, parameters: QueryParameter[], { signal }: RequestOptions = {}): Promise<Array<Array<string | null>>> {
    let answer = (await this.post(`${this.projectPath}/queries`, {
      query: sql,
      useLegacySql: false,
      useQueryCache: false,
      parameterMode: 'NAMED',
      queryParameters: parameters.map(toQueryParameter),
      timeoutMs: QUERY_WAIT_MS,
    }, signal)) as QueryAnswer;
    const rows: Array<Array<string | null>> = [];
    for (;;) {
      if (answer.jobComplete) rows.push(...(answer.rows ?? []).map((row) => row.f.map((cell) => (cell.v === null || cell.v === undefined ? null : String(cell.v)))));
      if (answer.jobComplete && !answer.pageToken) return rows;
      const job = answer.jobReference;
      if (job === undefined) throw new Error('BigQuery answered a query without its job reference');
      const search = new URLSearchParams({ timeoutMs: String(QUERY_WAIT_MS), ...(job.location ? { location: job.location } : {}), ...(answer.jobComplete && answer.pageToken ? { pageToken: answer.pageToken } : {}) });
      answer = (await this.request('GET', `${this.projectPath}/queries/${encodeURIComponent(job.jobId)}?${search}`, undefined, signal)) as QueryAnswer;
    }
  }

  private get projectPath(): string {
    return `${this.bigquery.apiEndpoint}/bigquery/v2/projects/${encodeURIComponent(this.bigquery.projectId)}`;
  }

  private get tablePath(): string {
    return `${this.projectPath}/datasets/${encodeURIComponent(this.dataset)}/tables/${encodeURIComponent(this.tableName)}`;
  }

  private post(url: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    return this.request('POST', url, typeof body === 'string' ? body : JSON.stringify(body), signal);
  }

  private async request(method: 'GET' | 'POST', url: string, body: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const headers = new Headers(body === undefined ? {} : { 'content-type': 'application/json' });
    if (needsCredentials(this.bigquery.apiEndpoint)) {
      const auth = await this.bigquery.authClient.getRequestHeaders(url);
      new Headers(auth as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => headers.set(key, value));
    }
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), ...(signal === undefined ? {} : { signal }) });
    const text = await response.text();
    if (!response.ok) throw new BigQueryHttpError(response.status, `BigQuery answered HTTP ${response.status}: ${errorMessage(text)}`);
    return text === '' ? {} : JSON.parse(text);
  }
}

/** The body of an insertAll request, from rows already written as JSON text. */
function insertAllBody(rows: string[]): string {
  return `${INSERT_ALL_HEAD}${rows.join(',')}${INSERT_ALL_TAIL}`;
}
const INSERT_ALL_HEAD = '{"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":true,"rows":[';
const INSERT_ALL_TAIL = ']}';
/** Bytes an insertAll request takes besides its rows and the commas between them. */
export const INSERT_ALL_ENVELOPE_BYTES = Buffer.byteLength(INSERT_ALL_HEAD) + Buffer.byteLength(INSERT_ALL_TAIL);

/** BigQuery refused the request for its size (400 "Request payload size exceeds the limit", or 413 from its front end). */
export function isRequestTooLarge(error: unknown): boolean {
  if (!(error instanceof BigQueryHttpError)) return false;
  return error.status === 413 || (error.status === 400 && /payload size exceeds the limit|request size|too large/i.test(error.message));
}

/** A failure that may pass on a later try: BigQuery 5xx or 429, or the connection failing (fetch's TypeError, from whichever realm). */
export function isTransient(error: unknown): boolean {
  if (error instanceof BigQueryHttpError) return error.status >= 500 || error.status === 429;
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TypeError';
}

interface InsertError {
  index: number;
  errors?: Array<{ reason?: string; message?: string }>;
}

interface QueryAnswer {
  jobComplete?: boolean;
  jobReference?: { jobId: string; location?: string };
  rows?: Array<{ f: Array<{ v: unknown }> }>;
  pageToken?: string;
}

/** `invalid` means the row itself is wrong; other reasons (`backendError`, `timeout`, `stopped`) may pass on a later try. */
function describeRefusal(error: InsertError): { reason: string; permanent: boolean } {
  const errors = error.errors ?? [];
  const reason = errors.map((e) => [e.reason, e.message].filter(Boolean).join(': ')).join('; ') || 'refused';
  return { reason, permanent: errors.some((e) => e.reason === 'invalid') };
}

function toQueryParameter(parameter: QueryParameter): Record<string, unknown> {
  if (parameter.type === 'ARRAY<STRING>') {
    return { name: parameter.name, parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: parameter.value.map((value) => ({ value })) } };
  }
  return { name: parameter.name, parameterType: { type: parameter.type }, parameterValue: { value: parameter.value } };
}

/** Two processes creating the same dataset or table at once: the second finds it made. */
function ignoreAlreadyExists(error: unknown): void {
  if ((error as { code?: unknown }).code !== 409) throw error;
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
