import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { HealingEvent } from '../healingEvent.js';
import type { OutboxFields } from './OutboxStream.js';
import { VERDICT_DUE_FIELD } from './verdictDocument.js';

/** `false` marks an event not yet in BigQuery; the field is removed when the event is set aside. */
export const EXPORTED_FIELD = 'bigquery_exported';
const EXPORTED_AT_FIELD = 'bigquery_exported_at';
/** `{ run, expires_at }`: the run that is exporting the event, until when. */
const CLAIM_FIELD = 'export_claim';
/** How many times BigQuery refused the row for good. */
const ATTEMPTS_FIELD = 'export_attempts';
/** Why a pending document was set aside, and when. */
const ERROR_FIELD = 'export_error';
const SET_ASIDE_AT_FIELD = 'export_set_aside_at';
/** When a run last marked that the event's insert may have been sent; the next export looks the event up in the table first. */
const SENT_FIELD = 'export_sent_at';

export const EVENT_FIELDS: OutboxFields = {
  exported: EXPORTED_FIELD,
  exportedAt: EXPORTED_AT_FIELD,
  claim: CLAIM_FIELD,
  attempts: ATTEMPTS_FIELD,
  error: ERROR_FIELD,
  setAsideAt: SET_ASIDE_AT_FIELD,
  sent: SENT_FIELD,
};

export interface Claim {
  run: string;
  expiresAt: Date;
}

export interface DocumentOptions {
  /** The heal awaits a verdict (a successful batch heal of the job): marked for the job's verification query. Default false. */
  verdictDue?: boolean;
}

/** The Firestore document of an event: the event's fields plus its export marker, claimed by a run when given. */
export function toFirestoreDocument(event: HealingEvent, claim?: Claim, { verdictDue = false }: DocumentOptions = {}): DocumentData {
  const document: DocumentData = {
    ...event,
    timestamp: Timestamp.fromDate(event.timestamp),
    [EXPORTED_FIELD]: false,
    [EXPORTED_AT_FIELD]: null,
  };
  if (claim !== undefined) document[CLAIM_FIELD] = claimField(claim);
  if (verdictDue) document[VERDICT_DUE_FIELD] = true;
  return document;
}

export function claimField(claim: Claim): DocumentData {
  return { run: claim.run, expires_at: Timestamp.fromDate(claim.expiresAt) };
}
