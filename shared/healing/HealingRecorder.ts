import type { HealingEvent, HealingEventInput } from '../healingEvent.js';

/** What close() reports: events written, still unwritten at the deadline (lost), and dropped. */
export interface RecorderCloseResult {
  written: number;
  unwritten: number;
  dropped: number;
}

/** Takes healing events from a service's code; never throws and never waits on storage. */
export interface HealingRecorder {
  /**
   * Queues one event (`healing_id` and `timestamp` filled in when absent) and returns it at once,
   * or `undefined` when it was dropped (buffer full, invalid input, recorder closed).
   */
  record(input: HealingEventInput): HealingEvent | undefined;
  /**
   * Writes what is still buffered within the close deadline, then cancels what its own client still
   * waits for and terminates that client: once it has resolved, nothing of the recorder keeps the
   * process alive. A client the caller passed in is left open.
   */
  close(): Promise<RecorderCloseResult>;
}
