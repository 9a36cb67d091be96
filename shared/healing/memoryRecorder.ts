import { createHealingEvent, type HealingEvent } from '../healingEvent.js';
import type { HealingRecorder } from './HealingRecorder.js';

/** A recorder that keeps its events in memory: for a service's own tests of its policies. */
export interface MemoryRecorder extends HealingRecorder {
  readonly events: HealingEvent[];
}

export function createMemoryRecorder(now: () => Date = () => new Date()): MemoryRecorder {
  const events: HealingEvent[] = [];
  let dropped = 0;
  return {
    events,
    record(input) {
      try {
        const event = createHealingEvent(input, now());
        events.push(event);
        return event;
      } catch {
        dropped += 1;
        return undefined;
      }
    },
    async close() {
      return { written: events.length, unwritten: 0, dropped };
    },
  };
}
