import { type DocumentData, type Firestore, Timestamp } from '@google-cloud/firestore';
import { healedEvent } from '../../jobs/batchHealingEvent.js';
import type { Batch } from '../../jobs/batchDocument.js';
import { VERDICTS_CONTROL_DOCUMENT, VERDICTS_SINCE_FIELD } from '../../jobs/verdicts/verdictsSince.js';
import { createHealingEvent, type HealingEvent } from '../../shared/healingEvent.js';
import { toFirestoreDocument } from '../../shared/outbox/eventDocument.js';

export interface HealSpec {
  id: string;
  /** Minutes between the heal and `now`. */
  healedMinutesAgo: number;
  /** Players a worker added after the heal, with `updated_at` this many minutes after it. */
  late?: { players: number; minutesAfter: number };
  /** The heal as the job recorded it before verdicts existed: no `verdict_due`, no `metadata.rule`. */
  oldShape?: boolean;
}

const RULE = { stallMinutes: 15, minCompletionPct: 90, maxAgeHours: 24 };
const RUN = { execution: 'earlier-run', taskIndex: 0, taskCount: 1 };

/**
 * Writes batches healed by an earlier run and their healing events, as the job leaves them: the
 * batch complete with `healing_id`, `completion_time` and `updated_at` at the heal (then the late
 * players, if any), the event exported to BigQuery already and awaiting its verdict.
 */
export async function seedHeals(firestore: Firestore, batchCollection: string, healingCollection: string, specs: HealSpec[], now: Date): Promise<HealingEvent[]> {
  const writer = firestore.bulkWriter();
  const events = specs.map((spec) => {
    const healedAt = new Date(now.getTime() - spec.healedMinutesAgo * 60_000);
    const batch: Batch = {
      id: spec.id, isComplete: false, createdAt: new Date(healedAt.getTime() - 90 * 60_000), updatedAt: new Date(healedAt.getTime() - 20 * 60_000),
      expectedPlayers: 20, completedPlayers: 19, gameDate: '2026-11-22', failedPlayers: 0, lastError: null,
    };
    const event = createHealingEvent(healedEvent(batch, healedAt, RUN, batchCollection, RULE), healedAt);
    const document: DocumentData = { ...toFirestoreDocument(event, undefined, { verdictDue: !spec.oldShape }), bigquery_exported: true };
    if (spec.oldShape) delete (document.metadata as DocumentData).rule;
    void writer.create(firestore.collection(healingCollection).doc(event.healing_id), document);

    const players = Array.from({ length: 19 + (spec.late?.players ?? 0) }, (_, i) => `player-${i}`);
    const updatedAt = spec.late === undefined ? healedAt : new Date(healedAt.getTime() + spec.late.minutesAfter * 60_000);
    void writer.set(firestore.collection(batchCollection).doc(spec.id), {
      is_complete: true, created_at: Timestamp.fromDate(batch.createdAt), updated_at: Timestamp.fromDate(updatedAt), expected_players: 20,
      completed_players: players, game_date: batch.gameDate, completion_time: Timestamp.fromDate(healedAt), auto_completed: true, healing_id: event.healing_id,
    });
    return event;
  });
  await writer.close();
  return events;
}

/** Records that the job has given verdicts since `since`, as its first verifying run does. */
export async function verdictsGivenSince(firestore: Firestore, healingCollection: string, since: Date): Promise<void> {
  await firestore.collection(`${healingCollection}_control`).doc(VERDICTS_CONTROL_DOCUMENT).set({ [VERDICTS_SINCE_FIELD]: Timestamp.fromDate(since) });
}
