import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import type { CancellableRequests } from '../cancellableRequests.js';
import { firstLine } from '../errorText.js';
import { isAlreadyExists } from '../firestoreErrors.js';
import { createHealingEvent, type HealingEvent, type HealingEventInput } from '../healingEvent.js';
import type { Logger } from '../logger.js';
import { toFirestoreDocument } from '../outbox/eventDocument.js';
import { TIMED_OUT, within } from '../timeLimit.js';
import { errorCategory } from './errorCategory.js';
import type { HealingRecorder, RecorderCloseResult } from './HealingRecorder.js';

export interface FirestoreRecorderSettings {
  firestore: Firestore;
  /**
   * The requests of `firestore` when the recorder created it: such a client is warmed up at once, a
   * write that times out has its requests cancelled, and close() cancels what is left and terminates
   * the client. Undefined for a caller's client, which the recorder leaves alone.
   */
  requests: CancellableRequests | undefined;
  collection: string;
  logger: Logger;
  maxBufferedEvents: number;
  flushIntervalMs: number;
  batchSize: number;
  writeTimeoutMs: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  closeTimeoutMs: number;
  now: () => Date;
}

/** How long close() waits, past its deadline, for its own client to close once every request is cancelled. */
const RELEASE_GRACE_MS = 100;

type Sleep = { promise: Promise<void>; wakeOnRecord: boolean; wake: () => void };

/**
 * Buffers events in memory and writes them to Firestore in batches from one background loop, so
 * record() costs the caller only building the event. Each document is created (never overwritten):
 * a batch that failed on the client's side but landed in Firestore is retried document by document,
 * and the ones already there count as written, so a retry never duplicates or resets an event the
 * job may already have exported.
 */
export class FirestoreRecorder implements HealingRecorder {
  private readonly events: CollectionReference;
  private readonly queue: HealingEvent[] = [];
  private readonly backoff: ExponentialBackoff<number>;
  private written = 0;
  private dropped = 0;
  private droppedUnlogged = 0;
  private dropping = false;
  private deadline: number | null = null;
  private closed: Promise<RecorderCloseResult> | null = null;
  private sleep: Sleep | null = null;
  private readonly loop: Promise<void>;
  private readonly warmUp: Promise<void>;

  constructor(private readonly settings: FirestoreRecorderSettings) {
    this.events = settings.firestore.collection(settings.collection);
    this.backoff = new ExponentialBackoff({
      initialDelay: settings.retryInitialDelayMs,
      maxDelay: settings.retryMaxDelayMs,
      generator: noJitterGenerator,
    });
    // A new Firestore client spends a few hundred ms of CPU setting itself up on its first request;
    // one request now does that at startup instead of in the middle of the service's first heal: an
    // empty commit, which writes nothing (a read is a stream, which the library retries even once
    // cancelled).
    this.warmUp = settings.requests ? settings.firestore.batch().commit().then(() => undefined, () => undefined) : Promise.resolve();
    this.loop = this.run().catch((error: unknown) => {
      settings.logger.error(`healing recorder stopped writing: ${firstLine(error)}`, { unwritten: this.queue.length });
    });
  }

  record(input: HealingEventInput): HealingEvent | undefined {
    if (this.deadline !== null) return this.drop('the recorder is closed', input);
    let event: HealingEvent;
    try {
      event = createHealingEvent(input, this.settings.now());
    } catch (error) {
      return this.drop(`invalid event: ${firstLine(error)}`, input);
    }
    if (this.queue.length >= this.settings.maxBufferedEvents) {
      return this.drop(`${this.queue.length} events already wait to be written (maxBufferedEvents)`, input);
    }
    this.dropping = false;
    this.queue.push(event);
    if (this.sleep?.wakeOnRecord && (this.queue.length === 1 || this.queue.length >= this.settings.batchSize)) this.sleep.wake();
    return event;
  }

  close(): Promise<RecorderCloseResult> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<RecorderCloseResult> {
    const { closeTimeoutMs, logger } = this.settings;
    this.deadline = Date.now() + closeTimeoutMs;
    this.sleep?.wake();
    await within(this.loop, closeTimeoutMs);
    this.sleep?.wake();
    const result: RecorderCloseResult = { written: this.written, unwritten: this.queue.length, dropped: this.dropped };
    if (result.unwritten > 0) {
      logger.error(`${result.unwritten} healing event(s) could not be written to Firestore before the ${closeTimeoutMs} ms close deadline and are lost`, {
        ...result,
        collection: this.settings.collection,
      });
    }
    if (result.dropped > 0) logger.error(`${result.dropped} healing event(s) were dropped while recording`, { ...result });
    if (this.settings.requests) await this.releaseClient(this.settings.requests);
    return result;
  }

  /**
   * Cancels the client's requests and terminates it, so nothing of it keeps the process alive. With
   * every request cancelled the client closes at once; a close that still has not finished after the
   * deadline (and a short grace) is not waited for.
   */
  private async releaseClient(requests: CancellableRequests): Promise<void> {
    requests.cancelAll('the healing recorder is closed');
    const terminated = this.warmUp.then(() => this.settings.firestore.terminate()).catch((error: unknown) => {
      this.settings.logger.debug(`Firestore client did not close cleanly: ${firstLine(error)}`);
    });
    await within(terminated, Math.max((this.deadline ?? 0) - Date.now(), RELEASE_GRACE_MS));
  }

  private drop(reason: string, input: HealingEventInput): undefined {
    this.dropped += 1;
    if (this.dropping) {
      this.droppedUnlogged += 1;
    } else {
      this.dropping = true;
      this.settings.logger.error(`healing event dropped: ${reason}`, { healing_type: input?.healing_type, dropped: this.dropped });
    }
    return undefined;
  }

  private async run(): Promise<void> {
    let backoff: IBackoff<unknown> | undefined;
    let failures = 0;
    for (;;) {
      if (this.deadline !== null && (this.queue.length === 0 || Date.now() >= this.deadline)) return;
      if (this.deadline === null) {
        if (this.queue.length === 0) await this.pause(Number.POSITIVE_INFINITY, true);
        else if (this.queue.length < this.settings.batchSize) await this.pause(this.settings.flushIntervalMs, true);
        if (this.queue.length === 0) continue;
      }
      this.logDrops();
      const batch = this.queue.slice(0, this.settings.batchSize);
      try {
        this.written += await this.withTimeout(this.write(batch));
        this.queue.splice(0, batch.length);
        if (failures > 0) this.settings.logger.info(`healing events written to Firestore after ${failures} failed attempt(s)`, { written: batch.length });
        backoff = undefined;
        failures = 0;
      } catch (error) {
        failures += 1;
        backoff = backoff ? backoff.next(undefined) : this.backoff.next();
        // Past the close deadline, close() has already logged what stays unwritten.
        if (this.deadline !== null && Date.now() >= this.deadline) return;
        this.settings.logger.warn(
          `could not write ${batch.length} healing event(s) to Firestore (attempt ${failures}): ${firstLine(error)}; retrying in ${backoff.duration} ms`,
          { pending: this.queue.length, attempt: failures, error_category: errorCategory(error), collection: this.settings.collection },
        );
        await this.pause(backoff.duration, false);
      }
    }
  }

  /** Returns how many of the batch's events are now in Firestore. */
  private async write(batch: HealingEvent[]): Promise<number> {
    const writeBatch = this.settings.firestore.batch();
    for (const event of batch) writeBatch.create(this.events.doc(event.healing_id), toFirestoreDocument(event));
    try {
      await writeBatch.commit();
      return batch.length;
    } catch (error) {
      if (!isAlreadyExists(error) && errorCategory(error) !== 'INVALID_ARGUMENT') throw error;
      return this.writeOneByOne(batch);
    }
  }

  /** After a batch failed as a whole: creates each document, keeping those already there and dropping those Firestore refuses. */
  private async writeOneByOne(batch: HealingEvent[]): Promise<number> {
    let written = 0;
    for (const event of batch) {
      try {
        await this.events.doc(event.healing_id).create(toFirestoreDocument(event));
        written += 1;
      } catch (error) {
        if (isAlreadyExists(error)) {
          written += 1;
          continue;
        }
        if (errorCategory(error) !== 'INVALID_ARGUMENT') throw error;
        this.dropped += 1;
        this.settings.logger.error(`Firestore refused healing event ${event.healing_id}: ${firstLine(error)}; it is dropped`, {
          healing_id: event.healing_id,
          healing_type: event.healing_type,
        });
      }
    }
    return written;
  }

  private logDrops(): void {
    if (this.droppedUnlogged === 0) return;
    this.settings.logger.error(`${this.droppedUnlogged} more healing event(s) dropped: the buffer is full`, {
      dropped: this.dropped,
      pending: this.queue.length,
    });
    this.droppedUnlogged = 0;
  }

  /** A write that does not answer within writeTimeoutMs (or the close deadline) counts as failed. */
  private async withTimeout<T>(write: Promise<T>): Promise<T> {
    const limit = Math.max(0, this.deadline === null ? this.settings.writeTimeoutMs : Math.min(this.settings.writeTimeoutMs, this.deadline - Date.now()));
    write.catch(() => undefined);
    const result = await within(write, limit, { unref: this.deadline === null });
    if (result === TIMED_OUT) {
      const message = `Firestore did not answer within ${Math.round(limit)} ms`;
      this.settings.requests?.cancel(message);
      throw new Error(message);
    }
    return result;
  }

  /** Waits `ms` (cut short by close, and by new events when `wakeOnRecord`); never keeps the process alive unless closing. */
  private pause(ms: number, wakeOnRecord: boolean): Promise<void> {
    const wait = this.deadline === null ? ms : Math.min(ms, Math.max(0, this.deadline - Date.now()));
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      wake = () => {
        clearTimeout(timer);
        this.sleep = null;
        resolve();
      };
      if (Number.isFinite(wait)) {
        timer = setTimeout(wake, wait);
        if (this.deadline === null) timer.unref();
      }
    });
    this.sleep = { promise, wakeOnRecord, wake };
    return promise;
  }
}
