import type { BigQuery } from '@google-cloud/bigquery';
import { createMemoryLogger } from '../logger.js';
import { commonTestConfig, UNREACHABLE_URL, uniqueSuffix } from '../../test/support/emulators.js';
import { createTracker, type TrackerSetup } from './createTracker.js';

const suffix = uniqueSuffix();
const config = commonTestConfig(suffix);
const logger = createMemoryLogger();
let setup: TrackerSetup;

const stalledBatchEvent = (id: string) => ({
  healing_id: id,
  healing_type: 'batch_cleanup',
  trigger_reason: 'Batch b-42 stalled at 95.0% (19/20) for 31.0 minutes',
  root_cause: 'stalled_batch',
  action_taken: 'Marked batch b-42 complete',
  before_state: { completion_pct: 95, completed: 19, expected: 20 },
  after_state: { is_complete: true },
  success: true,
  metadata: { batch_id: 'b-42', missing: 1 },
});

async function rowsFor(bigquery: BigQuery, healingId: string) {
  const [rows] = await bigquery.query({
    query: `SELECT healing_id, JSON_VALUE(before_state, '$.completion_pct') AS pct, JSON_VALUE(metadata, '$.batch_id') AS batch_id, root_cause
            FROM \`${config.projectId}.${config.dataset}.${config.table}\` WHERE healing_id = @id`,
    params: { id: healingId },
  });
  return rows as Array<{ healing_id: string; pct: string; batch_id: string; root_cause: string }>;
}

beforeAll(async () => {
  setup = createTracker(config, { logger });
  await setup.table.ensureExists();
});

afterAll(async () => {
  await setup.firestore.terminate();
});

describe('HealingTracker.record', () => {
  it('puts the event in Firestore and in BigQuery, where JSON_VALUE reads its state and metadata', async () => {
    const { event, exported } = await setup.tracker.record(stalledBatchEvent(`recorded-${suffix}`));

    expect(exported).toBe(true);
    const doc = await setup.firestore.collection(config.healingCollection).doc(event.healing_id).get();
    expect(doc.get('trigger_reason')).toBe('Batch b-42 stalled at 95.0% (19/20) for 31.0 minutes');
    expect(doc.get('before_state')).toEqual({ completion_pct: 95, completed: 19, expected: 20 });
    expect(doc.get('bigquery_exported')).toBe(true);
    expect(await rowsFor(setup.table.bigquery, event.healing_id)).toEqual([
      { healing_id: event.healing_id, pct: '95', batch_id: 'b-42', root_cause: 'stalled_batch' },
    ]);
  });

  it('keeps the event in Firestore, marked pending, while BigQuery is unreachable; exportPending() later exports it exactly once', async () => {
    const down = createTracker({ ...config, bigqueryEmulatorHost: UNREACHABLE_URL }, { logger, firestore: setup.firestore });
    const id = `pending-${suffix}`;

    const { exported } = await down.tracker.record(stalledBatchEvent(id));

    expect(exported).toBe(false);
    const doc = await setup.firestore.collection(config.healingCollection).doc(id).get();
    expect(doc.exists).toBe(true);
    expect(doc.get('bigquery_exported')).toBe(false);
    expect(await rowsFor(setup.table.bigquery, id)).toEqual([]);
    expect(logger.lines.some((line) => line.severity === 'WARNING' && String(line.message).includes('stay pending'))).toBe(true);

    const first = await setup.tracker.exportPending();
    const second = await setup.tracker.exportPending();

    expect(first).toEqual({ exported: 1, pending: 0 });
    expect(second).toEqual({ exported: 0, pending: 0 });
    expect(await rowsFor(setup.table.bigquery, id)).toHaveLength(1);
    expect((await setup.firestore.collection(config.healingCollection).doc(id).get()).get('bigquery_exported')).toBe(true);
  });

  it('does not record a repeat of the same healing_id a second time', async () => {
    const id = `repeat-${suffix}`;
    await setup.tracker.record(stalledBatchEvent(id));
    const again = await setup.tracker.record({ ...stalledBatchEvent(id), trigger_reason: 'a different reason' });

    expect(again.exported).toBe(false);
    expect((await setup.firestore.collection(config.healingCollection).doc(id).get()).get('trigger_reason')).toContain('stalled at 95.0%');
    expect(await rowsFor(setup.table.bigquery, id)).toHaveLength(1);
  });
});
