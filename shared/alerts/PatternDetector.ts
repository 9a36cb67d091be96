import { type CollectionReference, type Query, Timestamp } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { PatternCounts } from './alertLevel.js';
import type { RecentEvent } from './slackMessages.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Counts one healing type's recent events with Firestore count aggregations over the
 * (healing_type, timestamp) and (healing_type, success, timestamp) indexes: the cost is one
 * read per 1,000 matching index entries, not one per event.
 */
export class PatternDetector {
  constructor(
    private readonly events: CollectionReference,
    private readonly reads: FirestoreReadMeter,
  ) {}

  async counts(healingType: string, now: Date): Promise<PatternCounts> {
    const queries = countQueries(this.events, healingType, now);
    const [lastHour, lastDay, failuresLastDay] = await Promise.all([this.count(queries.lastHour), this.count(queries.lastDay), this.count(queries.failuresLastDay)]);
    return { lastHour, lastDay, failuresLastDay };
  }

  /** The newest events of a type, for the alert message. */
  async recent(healingType: string, limit: number): Promise<RecentEvent[]> {
    const snapshot = await recentQuery(this.events, healingType).select('healing_id', 'timestamp', 'trigger_reason', 'success').limit(limit).get();
    this.reads.documents(snapshot.size);
    return snapshot.docs.map((doc) => ({
      healing_id: String(doc.get('healing_id')),
      timestamp: (doc.get('timestamp') as Timestamp).toDate(),
      trigger_reason: String(doc.get('trigger_reason')),
      success: doc.get('success') === true,
    }));
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
