/** Counts Firestore document reads the way Firestore bills them, so each run can report its cost. */
export class FirestoreReadMeter {
  private total = 0;

  /** A query or get that returned `documents` documents; an empty result still costs one read. */
  documents(documents: number): void {
    this.total += Math.max(1, documents);
  }

  /** A count aggregation over `matched` index entries: one read per 1,000 entries, at least one. */
  aggregation(matched: number): void {
    this.total += Math.max(1, Math.ceil(matched / 1000));
  }

  get reads(): number {
    return this.total;
  }
}
