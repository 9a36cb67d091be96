import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import type { CommonConfig } from './config.js';

/** Firestore for the configured project; FIRESTORE_EMULATOR_HOST, when set, points it at the emulator. */
export function createFirestore(config: Pick<CommonConfig, 'projectId'>): Firestore {
  return new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true });
}

/** BigQuery for the configured project, or the emulator at `bigqueryEmulatorHost` when that is set. */
export function createBigQuery(config: Pick<CommonConfig, 'projectId' | 'bigqueryEmulatorHost'>): BigQuery {
  // The client reads BIGQUERY_EMULATOR_HOST itself and lets it override apiEndpoint;
  // hide it while constructing so the validated configuration decides.
  const fromEnv = process.env.BIGQUERY_EMULATOR_HOST;
  delete process.env.BIGQUERY_EMULATOR_HOST;
  try {
    if (config.bigqueryEmulatorHost === undefined) return new BigQuery({ projectId: config.projectId });
    // The emulator needs no credentials; skip the metadata-server probe that looks for them.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    return new BigQuery({ projectId: config.projectId, apiEndpoint: config.bigqueryEmulatorHost, maxRetries: 1 });
  } finally {
    if (fromEnv !== undefined) process.env.BIGQUERY_EMULATOR_HOST = fromEnv;
  }
}
