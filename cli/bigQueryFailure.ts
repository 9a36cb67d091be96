import type { CommonConfig } from '../shared/config.js';
import { firstLine } from '../shared/errorText.js';

/** BigQuery could not answer; the message says what to check. Programs exit 1 on it. */
export class BigQueryFailure extends Error {
  override name = 'BigQueryFailure';
}

type Target = Pick<CommonConfig, 'projectId' | 'bigqueryEmulatorHost' | 'dataset' | 'table'>;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** One line naming what went wrong and what to check: the emulator or network, the table's names, or the credentials. */
export function toBigQueryFailure(error: unknown, target: Target): BigQueryFailure {
  const detail = firstLine(error, Number.POSITIVE_INFINITY);
  const where = target.bigqueryEmulatorHost ?? 'bigquery.googleapis.com';
  const table = `${target.projectId}.${target.dataset}.${target.table}`;
  const fail = (message: string) => new BigQueryFailure(message, { cause: error });
  if (isNetworkError(error)) {
    const check =
      target.bigqueryEmulatorHost === undefined
        ? 'check the network connection to Google Cloud'
        : 'check that the BigQuery emulator is running there (BIGQUERY_EMULATOR_HOST; scripts/local-stack.sh start)';
    return fail(`cannot reach BigQuery at ${where} (${networkCode(error) ?? detail}); ${check}`);
  }
  if (/not found:? (table|dataset)|table not found|dataset not found/i.test(detail)) {
    return fail(`BigQuery table ${table} does not exist; check GOOGLE_CLOUD_PROJECT, HEALING_DATASET and HEALING_TABLE (the deploy script creates the table): ${detail}`);
  }
  const status = (error as { code?: unknown })?.code;
  if (status === 401 || status === 403 || /default credentials|invalid_grant|permission|access denied/i.test(detail)) {
    return fail(`BigQuery refused access to ${table}: ${detail}; check the credentials (gcloud auth application-default login) and that they may run query jobs in ${target.projectId} and read the dataset`);
  }
  return fail(`BigQuery query on ${table} failed: ${detail}`);
}

function isNetworkError(error: unknown): boolean {
  const code = networkCode(error);
  return code !== undefined || (error instanceof Error && /fetch failed|socket hang up/i.test(error.message));
}

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}
