import type { Firestore } from '@google-cloud/firestore';
import { CancellableRequests } from '../cancellableRequests.js';
import { createFirestore } from '../firestoreClient.js';
import { createLogger, type Logger } from '../logger.js';
import { numberOption } from '../numbers.js';
import { FirestoreRecorder } from './FirestoreRecorder.js';
import type { HealingRecorder } from './HealingRecorder.js';

export interface HealingRecorderOptions {
  /** Where the defaults are read (`GOOGLE_CLOUD_PROJECT`, `FIRESTORE_EMULATOR_HOST`, `HEALING_COLLECTION`); only read, never changed. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Firestore client to write with; close() leaves it and its requests alone. Default a client of the recorder's own for `GOOGLE_CLOUD_PROJECT` (at `FIRESTORE_EMULATOR_HOST` when set), whose requests end with the write they belong to, released by close(). */
  firestore?: Firestore;
  /** Collection of healing events. Default `HEALING_COLLECTION`, else `healing_events`. */
  collection?: string;
  /** Where the recorder reports failed writes, drops and what close() could not write. Default JSON lines on stdout at `info`. */
  logger?: Logger;
  /** Most events waiting to be written; new ones beyond it are dropped, counted and logged at ERROR. Default 10,000. */
  maxBufferedEvents?: number;
  /** How long events wait to be written together when fewer than a batch are buffered. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Events written in one Firestore batch (Firestore takes at most 500). Default 250. */
  batchSize?: number;
  /** A batch write that has not answered after this long counts as failed and is retried. Default 10,000 ms. */
  writeTimeoutMs?: number;
  /** First wait before retrying a failed write; it doubles up to `retryMaxDelayMs`. Default 500 ms. */
  retryInitialDelayMs?: number;
  /** Longest wait between retries of a failed write. Default 30,000 ms. */
  retryMaxDelayMs?: number;
  /** How long close() may take to write what is still buffered; then its own client's requests are cancelled and the client released. Default 5,000 ms. */
  closeTimeoutMs?: number;
  /** Clock for events recorded without a timestamp. Default `() => new Date()`. */
  now?: () => Date;
}

const FIRESTORE_BATCH_LIMIT = 500;

/**
 * A recorder that writes healing events to Firestore as pending documents (`bigquery_exported:
 * false`), the same documents the job writes for its own heals; the job's next run exports them.
 */
export function createHealingRecorder(options: HealingRecorderOptions = {}): HealingRecorder {
  const env = options.env ?? process.env;
  const collection = options.collection ?? nonEmpty(env.HEALING_COLLECTION) ?? 'healing_events';
  if (collection.includes('/')) throw new RangeError(`healing collection must be a collection name without "/": ${collection}`);
  const { firestore, requests } = options.firestore ? { firestore: options.firestore, requests: undefined } : recorderFirestore(env);
  return new FirestoreRecorder({
    firestore,
    requests,
    collection,
    logger: options.logger ?? createLogger({ level: 'info' }),
    maxBufferedEvents: numberOption(options.maxBufferedEvents, 'maxBufferedEvents', 10_000, { min: 1 }),
    flushIntervalMs: numberOption(options.flushIntervalMs, 'flushIntervalMs', 1_000, { min: 0 }),
    batchSize: Math.min(numberOption(options.batchSize, 'batchSize', 250, { min: 1 }), FIRESTORE_BATCH_LIMIT),
    writeTimeoutMs: numberOption(options.writeTimeoutMs, 'writeTimeoutMs', 10_000, { min: 1 }),
    retryInitialDelayMs: numberOption(options.retryInitialDelayMs, 'retryInitialDelayMs', 500, { min: 1 }),
    retryMaxDelayMs: numberOption(options.retryMaxDelayMs, 'retryMaxDelayMs', 30_000, { min: 1 }),
    closeTimeoutMs: numberOption(options.closeTimeoutMs, 'closeTimeoutMs', 5_000, { min: 0 }),
    now: options.now ?? (() => new Date()),
  });
}

function recorderFirestore(env: Record<string, string | undefined>): { firestore: Firestore; requests: CancellableRequests } {
  const projectId = nonEmpty(env.GOOGLE_CLOUD_PROJECT);
  const firestoreEmulatorHost = nonEmpty(env.FIRESTORE_EMULATOR_HOST);
  if (firestoreEmulatorHost !== undefined && projectId === undefined) {
    throw new RangeError('GOOGLE_CLOUD_PROJECT is required with FIRESTORE_EMULATOR_HOST');
  }
  const requests = new CancellableRequests();
  return { firestore: createFirestore({ projectId, firestoreEmulatorHost }, { requests }), requests };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
