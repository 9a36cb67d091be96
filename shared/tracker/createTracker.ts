import type { Firestore } from '@google-cloud/firestore';
import { SlackNotifier } from '../alerts/SlackNotifier.js';
import { createBigQuery, createFirestore } from '../clients.js';
import type { CommonConfig } from '../config.js';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { HealingEventTable } from '../healingEventTable.js';
import type { Logger } from '../logger.js';
import { HealingTracker } from './HealingTracker.js';

export interface TrackerSetup {
  firestore: Firestore;
  table: HealingEventTable;
  tracker: HealingTracker;
}

export interface CreateTrackerOptions {
  logger: Logger;
  /** Slack incoming webhook; unset logs alerts only. */
  slackWebhookUrl?: string | undefined;
  /** Reuse a Firestore client (and its connection) the caller already has. */
  firestore?: Firestore;
  reads?: FirestoreReadMeter;
  now?: () => Date;
  /** Slack retries after a failure. Default 2. */
  slackRetries?: number;
}

/** Builds the tracker and its clients from configuration. */
export function createTracker(config: CommonConfig, options: CreateTrackerOptions): TrackerSetup {
  const firestore = options.firestore ?? createFirestore(config);
  const table = new HealingEventTable(createBigQuery(config), config.dataset, config.table);
  const notifier = new SlackNotifier({ webhookUrl: options.slackWebhookUrl, logger: options.logger, retries: options.slackRetries });
  const tracker = new HealingTracker({
    firestore,
    collection: config.healingCollection,
    table,
    notifier,
    logger: options.logger,
    reads: options.reads,
    now: options.now,
  });
  return { firestore, table, tracker };
}
