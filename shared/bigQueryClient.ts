import { BigQuery } from '@google-cloud/bigquery';
import { deadlineSignal } from './timeLimit.js';

const BIGQUERY_ENDPOINT = 'https://bigquery.googleapis.com';
/** How long the metadata server gets to answer before this process is taken to run outside Google Cloud. */
const METADATA_PROBE_TIMEOUT_MS = 3000;

/** Where a BigQuery client connects. */
export interface BigQueryTarget {
  projectId: string;
  /** URL of the BigQuery emulator (`http://127.0.0.1:9050`); unset for Google. */
  bigqueryEmulatorHost?: string | undefined;
}

/**
 * BigQuery for the configured project, or the emulator at `bigqueryEmulatorHost` when that is set.
 * The validated configuration decides, whatever BIGQUERY_EMULATOR_HOST holds in this process.
 */
export function createBigQuery(config: BigQueryTarget): BigQuery {
  const emulator = config.bigqueryEmulatorHost;
  const bigquery = new BigQuery({
    projectId: config.projectId,
    apiEndpoint: emulator ?? BIGQUERY_ENDPOINT,
    ...(emulator === undefined ? {} : { maxRetries: 1 }),
  });
  // The client takes BIGQUERY_EMULATOR_HOST from the environment over `apiEndpoint` for its base URL.
  bigquery.baseUrl = `${bigquery.apiEndpoint}/bigquery/v2`;
  // The auth library asks the metadata server whether it runs on Google Cloud when it finds no other
  // credentials, and prints a two-line MetadataLookupWarning on stderr when the answer is unexpected.
  // Ask quietly instead; the emulator needs no credentials, so it is not asked at all.
  bigquery.authClient._checkIsGCE = emulator === undefined ? once(() => metadataServerAnswers(METADATA_PROBE_TIMEOUT_MS)) : async () => false;
  return bigquery;
}

/** Whether the metadata server of a Google Cloud runtime answers, as the auth library's probe decides, without its warning. */
export async function metadataServerAnswers(timeoutMs: number, host = process.env.GCE_METADATA_HOST ?? process.env.GCE_METADATA_IP ?? '169.254.169.254'): Promise<boolean> {
  const deadline = deadlineSignal(timeoutMs);
  try {
    const response = await fetch(`http://${host}/computeMetadata/v1/instance`, { headers: { 'Metadata-Flavor': 'Google' }, signal: deadline.signal });
    await response.body?.cancel();
    return response.headers.get('metadata-flavor') === 'Google';
  } catch {
    return false;
  } finally {
    deadline.clear();
  }
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}
