import { type CollectionReference, Timestamp } from '@google-cloud/firestore';
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
    const ofType = this.events.where('healing_type', '==', healingType);
    const hourAgo = Timestamp.fromMillis(now.getTime() - HOUR_MS);
    const dayAgo = Timestamp.fromMillis(now.getTime() - 24 * HOUR_MS);
    const [lastHour, lastDay, failuresLastDay] = await Promise.all([
      this.count(ofType.where('timestamp', '>', hourAgo)),
      this.count(ofType.where('timestamp', '>', dayAgo)),
      this.count(ofType.where('success', '==', false).where('timestamp', '>', dayAgo)),
    ]);
    return { lastHour, lastDay, failuresLastDay };
  }

  /** The newest events of a type, for the alert message. */
  async recent(healingType: string, limit: number): Promise<RecentEvent[]> {
    const snapshot = await this.events
      .where('healing_type', '==', healingType)
      .orderBy('timestamp', 'desc')
      .select('healing_id', 'timestamp', 'trigger_reason', 'success')
      .limit(limit)
      .get();
    this.reads.documents(snapshot.size);
    return snapshot.docs.map((doc) => ({
      healing_id: String(doc.get('healing_id')),
      timestamp: (doc.get('timestamp') as Timestamp).toDate(),
      trigger_reason: String(doc.get('trigger_reason')),
      success: doc.get('success') === true,
    }));
  }

  private async count(query: FirebaseFirestore.Query): Promise<number> {
    const snapshot = await query.count().get();
    const matched = snapshot.data().count;
    this.reads.aggregation(matched);
    return matched;
  }
}
