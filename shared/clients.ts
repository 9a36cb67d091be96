import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import type { CommonConfig } from './config.js';

/** Firestore for the configured project; FIRESTORE_EMULATOR_HOST, when set, points it at the emulator. */
export function createFirestore(config: Pick<CommonConfig, 'projectId'>): Firestore {
  return new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true });
}

/** BigQuery for the configured project, or the emulator at `bigqueryEmulatorHost`. */
export function createBigQuery(config: Pick<CommonConfig, 'projectId' | 'bigqueryEmulatorHost'>): BigQuery {
  if (config.bigqueryEmulatorHost === undefined) return new BigQuery({ projectId: config.projectId });
  // The emulator needs no credentials; skip the metadata-server probe that looks for them.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  return new BigQuery({ projectId: config.projectId, apiEndpoint: config.bigqueryEmulatorHost, maxRetries: 1 });
}
