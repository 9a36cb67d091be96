import type { Firestore } from '@google-cloud/firestore';
import { LogChannel } from '../../shared/alerts/LogChannel.js';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { createFirestore } from '../../shared/firestoreClient.js';
import type { JobConfig } from '../../shared/config.js';
import { HealingEventTable } from '../../shared/healingEventTable.js';
import { createMemoryLogger } from '../../shared/logger.js';
import { runCleanup } from '../../jobs/runCleanup.js';

/** Stalled batches for a benchmark, written with one BulkWriter. */
export async function seedStalled(firestore: Firestore, collection: string, count: number, prefix: string): Promise<void> {
  const writer = firestore.bulkWriter();
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const players = Array.from({ length: 19 }, (_, i) => `p${i}`);
  for (let i = 0; i < count; i += 1) {
    void writer.set(firestore.collection(collection).doc(`${prefix}-${String(i).padStart(4, '0')}`), {
      is_complete: false, created_at: ago(120), updated_at: ago(30), expected_players: 20, completed_players: players, game_date: '2026-11-22',
    });
  }
  await writer.close();
}

/** One run in this process with its own Firestore client; BigQuery at `bigqueryUrl`. Returns the summary and the log. */
export async function benchRun(config: JobConfig, bigqueryUrl: string) {
  const client = createFirestore(config);
  const logger = createMemoryLogger('info');
  const table = new HealingEventTable(createBigQuery({ ...config, bigqueryEmulatorHost: bigqueryUrl }), config.dataset, config.table);
  const started = Date.now();
  try {
    const result = await runCleanup({ config, firestore: client, table, channel: new LogChannel(logger), logger });
    return { ...result, started, ended: Date.now(), lines: logger.lines };
  } finally {
    await client.terminate();
  }
}
