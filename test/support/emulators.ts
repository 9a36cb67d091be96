import { randomBytes } from 'node:crypto';
import { loadCommonConfig, loadJobConfig, type CommonConfig, type JobConfig } from '../../shared/config.js';

/** A short random suffix so each test file gets collections and datasets of its own. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Environment for the programs, pointed at the local emulators with names of this test's own. */
export function emulatorEnv(suffix: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: process.env.GOOGLE_CLOUD_PROJECT ?? 'local-healing',
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8686',
    BIGQUERY_EMULATOR_HOST: process.env.BIGQUERY_EMULATOR_HOST ?? 'http://127.0.0.1:9050',
    BATCH_COLLECTION: `batches_${suffix}`,
    HEALING_COLLECTION: `healing_events_${suffix}`,
    HEALING_DATASET: `healing_${suffix}`,
    HEALING_TABLE: 'healing_events',
  };
  return { ...env, ...extra };
}

export function commonTestConfig(suffix: string, extra: Record<string, string> = {}): CommonConfig {
  return loadCommonConfig(emulatorEnv(suffix, extra));
}

export function jobTestConfig(suffix: string, extra: Record<string, string> = {}): JobConfig {
  return loadJobConfig(emulatorEnv(suffix, extra));
}

/** A loopback address where nothing listens, standing in for a service that is down. */
export const UNREACHABLE_URL = 'http://127.0.0.1:9';
