import { type Firestore, Timestamp } from '@google-cloud/firestore';

export interface BatchSpec {
  id: string;
  completed: number;
  expected: number;
  /** Minutes between the last progress and `now`. */
  stalledMinutes: number;
  /** Minutes between creation and `now`. Default 120. */
  ageMinutes?: number;
  isComplete?: boolean;
  gameDate?: string;
  /** Fields to set or replace as they are, for malformed documents. */
  override?: Record<string, unknown>;
}

/** A batch document in the existing pipeline's shape. */
export function batchDocument(spec: BatchSpec, now: Date): Record<string, unknown> {
  const minutesAgo = (minutes: number) => Timestamp.fromMillis(now.getTime() - minutes * 60_000);
  return {
    is_complete: spec.isComplete ?? false,
    created_at: minutesAgo(spec.ageMinutes ?? 120),
    updated_at: minutesAgo(spec.stalledMinutes),
    expected_players: spec.expected,
    completed_players: Array.from({ length: spec.completed }, (_, i) => `player-${i}`),
    game_date: spec.gameDate ?? '2026-11-22',
    ...spec.override,
  };
}

export async function seedBatches(firestore: Firestore, collection: string, specs: BatchSpec[], now: Date): Promise<void> {
  const writer = firestore.bulkWriter();
  for (const spec of specs) void writer.set(firestore.collection(collection).doc(spec.id), batchDocument(spec, now));
  await writer.close();
}

export async function readBatch(firestore: Firestore, collection: string, id: string): Promise<Record<string, unknown>> {
  return (await firestore.collection(collection).doc(id).get()).data() ?? {};
}
