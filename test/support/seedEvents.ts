import type { Firestore } from '@google-cloud/firestore';
import { createHealingEvent, type HealingEvent } from '../../shared/healingEvent.js';
import { toFirestoreDocument } from '../../shared/outbox/eventDocument.js';

export interface SeedSpec {
  minutesAgo: number;
  success?: boolean;
}

/** Writes healing events straight into Firestore the way the tracker stores them, at chosen ages. */
export async function seedFirestoreEvents(firestore: Firestore, collection: string, healingType: string, now: Date, specs: SeedSpec[]): Promise<HealingEvent[]> {
  const batch = firestore.batch();
  const events = specs.map((spec, index) => {
    const event = createHealingEvent({
      healing_type: healingType,
      trigger_reason: `Seeded event ${index} for ${healingType}`,
      root_cause: 'seeded',
      action_taken: 'nothing',
      before_state: {},
      after_state: {},
      success: spec.success ?? true,
      metadata: { index },
      timestamp: new Date(now.getTime() - spec.minutesAgo * 60_000),
    });
    batch.create(firestore.collection(collection).doc(event.healing_id), toFirestoreDocument(event));
    return event;
  });
  await batch.commit();
  return events;
}

export function ages(count: number, firstMinutesAgo: number, stepMinutes = 1, success = true): SeedSpec[] {
  return Array.from({ length: count }, (_, i) => ({ minutesAgo: firstMinutesAgo + i * stepMinutes, success }));
}

/** A pending event as a service in another language writes it: ISO time, JSON text, no healing_id field. */
export function foreignEventDocument(reason: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: '2026-11-23T10:15:00+01:00',
    healing_type: 'cache_refresh',
    trigger_reason: reason,
    root_cause: 'stale_cache',
    action_taken: 'Refreshed the odds cache',
    before_state: '{"age_s": 900}',
    after_state: { age_s: 0 },
    success: true,
    metadata: '{"service": "odds-api"}',
    bigquery_exported: false,
    ...extra,
  };
}
