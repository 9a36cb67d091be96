import { AggregateField, type CollectionReference, type Query, type QueryDocumentSnapshot, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { VERDICT_FIELD as VERDICT, type VerdictKind } from '../outbox/verdictDocument.js';
import type { PrematureHeal } from '../stallRecommendation.js';
import type { PatternCounts, VerdictCounts } from './alertLevel.js';
import type { RecentEvent } from './slackMessages.js';

const HOUR_MS = 60 * 60 * 1000;
/**
 * Firestore refuses a query on a value of 1,500 bytes or more. A longer type name is found by a
 * range on its first 1,400 bytes, and its events are told apart from others with the same start
 * when they are read.
 */
export const MAX_QUERY_VALUE_BYTES = 1_400;
/** Events of an over-long type name read at most, per run; its counts stop there. */
const OVERLONG_TYPE_READS = 1_000;
/** How far back an over-long type's events are read: verdicts given in the last day to heals of the day before. */
const OVERLONG_TYPE_WINDOW_MS = 48 * HOUR_MS;

/**
 * Counts one healing type's recent events, and the verdicts given to its heals, with Firestore
 * count and sum aggregations over composite indexes: the cost is one read per 1,000 matching
 * index entries, not one per event. A type name too long to query is read instead (at most 1,000
 * events of 48 hours, once a run) and counted here.
 */
export class PatternDetector {
  private readonly overlong = new Map<string, Promise<QueryDocumentSnapshot[]>>();

  constructor(
    private readonly events: CollectionReference,
    private readonly reads: FirestoreReadMeter,
  ) {}

  async counts(healingType: string, now: Date): Promise<PatternCounts> {
    if (!queryable(healingType)) return overlongCounts(await this.overlongEvents(healingType, now), now);
    const queries = countQueries(this.events, healingType, now);
    const [lastHour, lastDay, failuresLastDay] = await Promise.all([this.count(queries.lastHour), this.count(queries.lastDay), this.count(queries.failuresLastDay)]);
    return { lastHour, lastDay, failuresLastDay };
  }

  /** The newest events of a type, for the alert message. */
  async recent(healingType: string, limit: number, now: Date): Promise<RecentEvent[]> {
    const docs = queryable(healingType)
      ? await recentQuery(this.events, healingType).select('healing_id', 'timestamp', 'trigger_reason', 'success').limit(limit).get().then((snapshot) => {
          this.reads.documents(snapshot.size);
          return snapshot.docs;
        })
      : (await this.overlongEvents(healingType, now)).slice(0, limit);
    return docs.map((doc) => {
      const timestamp: unknown = doc.get('timestamp');
      return {
        healing_id: String(doc.get('healing_id')),
        timestamp: timestamp instanceof Timestamp ? timestamp.toDate() : new Date(0),
        trigger_reason: String(doc.get('trigger_reason')),
        success: doc.get('success') === true,
      };
    });
  }

  /** The `held` and `premature` verdicts given to a type's heals in the last 24 hours, and the late players of the premature ones. */
  async verdictCounts(healingType: string, now: Date): Promise<VerdictCounts> {
    if (!queryable(healingType)) {
      const events = await this.overlongEvents(healingType, now);
      const premature = givenVerdicts(events, 'premature', now);
      const latePlayers = premature.reduce((sum, doc) => sum + numberOr0(doc.get(`${VERDICT}.late_players`)), 0);
      return { held: givenVerdicts(events, 'held', now).length, premature: premature.length, latePlayers: Math.round(latePlayers) };
    }
    const queries = verdictQueries(this.events, healingType, now);
    const [held, premature] = await Promise.all([
      this.count(queries.held),
      prematureAggregation(queries.premature).get(),
    ]);
    const { count, latePlayers } = premature.data();
    this.reads.aggregation(count);
    return { held, premature: count, latePlayers: Number.isFinite(latePlayers) && latePlayers > 0 ? Math.round(latePlayers) : 0 };
  }

  /** The newest premature verdicts of the last 24 hours, as the STALL_MINUTES recommendation needs them; unreadable ones are left out. */
  async prematureHeals(healingType: string, now: Date, limit: number): Promise<PrematureHeal[]> {
    const docs = queryable(healingType)
      ? await verdictQueries(this.events, healingType, now)
          .premature.select(`${VERDICT}.stall_minutes`, `${VERDICT}.progress_after_minutes`)
          .limit(limit)
          .get()
          .then((snapshot) => {
            this.reads.documents(snapshot.size);
            return snapshot.docs;
          })
      : givenVerdicts(await this.overlongEvents(healingType, now), 'premature', now).slice(0, limit);
    return docs.flatMap((doc) => {
      const stall: unknown = doc.get(`${VERDICT}.stall_minutes`);
      const progress: unknown = doc.get(`${VERDICT}.progress_after_minutes`);
      return typeof stall === 'number' && typeof progress === 'number' ? [{ stall_minutes: stall, progress_after_minutes: progress }] : [];
    });
  }

  /** An over-long type's events of the last 48 hours, newest first, read once a run. */
  private overlongEvents(healingType: string, now: Date): Promise<QueryDocumentSnapshot[]> {
    let events = this.overlong.get(healingType);
    if (events === undefined) {
      const query = overlongTypeQuery(this.events, healingType, now).select('healing_type', 'healing_id', 'timestamp', 'trigger_reason', 'success', VERDICT).limit(OVERLONG_TYPE_READS);
      events = query.get().then((snapshot) => {
        this.reads.documents(snapshot.size);
        return snapshot.docs.filter((doc) => doc.get('healing_type') === healingType);
      });
      this.overlong.set(healingType, events);
    }
    return events;
  }

  private async count(query: Query): Promise<number> {
    const snapshot = await query.count().get();
    const matched = snapshot.data().count;
    this.reads.aggregation(matched);
    return matched;
  }
}

/**
 * The counts' queries. Each orders by timestamp, newest first, so it is served by exactly the
 * (healing_type, timestamp desc) and (healing_type, success, timestamp desc) indexes deploy creates.
 */
export function countQueries(events: CollectionReference, healingType: string, now: Date): Record<keyof PatternCounts, Query> {
  const ofType = events.where('healing_type', '==', healingType);
  const hourAgo = Timestamp.fromMillis(now.getTime() - HOUR_MS);
  const dayAgo = Timestamp.fromMillis(now.getTime() - 24 * HOUR_MS);
  return {
    lastHour: ofType.where('timestamp', '>', hourAgo).orderBy('timestamp', 'desc'),
    lastDay: ofType.where('timestamp', '>', dayAgo).orderBy('timestamp', 'desc'),
    failuresLastDay: ofType.where('success', '==', false).where('timestamp', '>', dayAgo).orderBy('timestamp', 'desc'),
  };
}

/** A type's events, newest first. */
export function recentQuery(events: CollectionReference, healingType: string): Query {
  return events.where('healing_type', '==', healingType).orderBy('timestamp', 'desc');
}

/**
 * A type's heals given `held` or `premature` in the last 24 hours, newest verdict first: served by
 * the (healing_type, verdict.verdict, verdict.checked_at desc) index, and for the sum of late
 * players by the same with verdict.late_players after it.
 */
export function verdictQueries(events: CollectionReference, healingType: string, now: Date): Record<'held' | 'premature', Query> {
  const dayAgo = new Date(now.getTime() - 24 * HOUR_MS);
  return { held: givenVerdictQuery(events, healingType, 'held', dayAgo), premature: givenVerdictQuery(events, healingType, 'premature', dayAgo) };
}

/** A type's heals given `verdict` since `since`, newest verdict first: the (healing_type, verdict.verdict, verdict.checked_at desc) index. */
export function givenVerdictQuery(events: CollectionReference, healingType: string, verdict: VerdictKind, since: Date): Query {
  return events
    .where('healing_type', '==', healingType)
    .where(`${VERDICT}.verdict`, '==', verdict)
    .where(`${VERDICT}.checked_at`, '>', Timestamp.fromDate(since))
    .orderBy(`${VERDICT}.checked_at`, 'desc');
}

/** The aggregation the `premature` check runs on the premature query: the count and the sum of late players. */
export function prematureAggregation(query: Query) {
  return query.aggregate({ count: AggregateField.count(), latePlayers: AggregateField.sum(`${VERDICT}.late_players`) });
}

/** Whether Firestore takes the type name as a query value. */
export function queryable(healingType: string): boolean {
  return Buffer.byteLength(healingType) <= MAX_QUERY_VALUE_BYTES;
}

/**
 * Events whose type starts like an over-long name (its first 1,400 bytes), of the last 48 hours,
 * newest first within each name: served by the (healing_type, timestamp desc) index.
 */
export function overlongTypeQuery(events: CollectionReference, healingType: string, now: Date): Query {
  const start = queryablePrefix(healingType);
  return events
    .where('healing_type', '>=', start)
    .where('healing_type', '<', `${start}\u{10ffff}`)
    .where('timestamp', '>', Timestamp.fromMillis(now.getTime() - OVERLONG_TYPE_WINDOW_MS))
    .orderBy('healing_type')
    .orderBy('timestamp', 'desc');
}

/** The longest start of the text of at most 1,400 bytes, never splitting a character; Firestore orders text by its UTF-8 bytes, so the range ends at the highest code point. */
function queryablePrefix(text: string): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > MAX_QUERY_VALUE_BYTES) break;
    end += character.length;
  }
  return text.slice(0, end);
}

function overlongCounts(docs: QueryDocumentSnapshot[], now: Date): PatternCounts {
  const since = (ms: number) => docs.filter((doc) => millisOf(doc.get('timestamp')) > now.getTime() - ms);
  const lastDay = since(24 * HOUR_MS);
  return { lastHour: since(HOUR_MS).length, lastDay: lastDay.length, failuresLastDay: lastDay.filter((doc) => doc.get('success') === false).length };
}

function givenVerdicts(docs: QueryDocumentSnapshot[], verdict: string, now: Date): QueryDocumentSnapshot[] {
  return docs
    .filter((doc) => doc.get(`${VERDICT}.verdict`) === verdict && millisOf(doc.get(`${VERDICT}.checked_at`)) > now.getTime() - 24 * HOUR_MS)
    .sort((a, b) => millisOf(b.get(`${VERDICT}.checked_at`)) - millisOf(a.get(`${VERDICT}.checked_at`)));
}

function millisOf(value: unknown): number {
  return value instanceof Timestamp ? value.toMillis() : Number.NEGATIVE_INFINITY;
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
