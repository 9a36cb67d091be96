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
