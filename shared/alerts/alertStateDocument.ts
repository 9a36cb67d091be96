import { createHash } from 'node:crypto';
import type { DocumentData } from '@google-cloud/firestore';
import { clip } from '../clip.js';
import { ALERT_KINDS, type AlertKind, type AlertStateJson } from './AlertState.js';

/** Characters of the type name kept readable at the start of its alert-state document id. */
const READABLE_PREFIX = 40;
const HASH_LENGTH = 64;
/** Times up to this far ahead of the job's clock count as now (clock skew between runs); later ones are unreadable. */
const CLOCK_SKEW_MS = 60_000;
/** Batch ids kept with a waiting safety-brake alert, and the length each is cut to. */
export const BRAKE_SAMPLE_IDS = 10;
const BRAKE_SAMPLE_ID_LENGTH = 200;

/** The safety brake's figures, kept with an undelivered brake alert so that the next run can rebuild it. */
export interface BrakeDetail {
  stalled: number;
  limit: number;
  sampleIds: string[];
}

/**
 * A healing type's alert state, as data only: when each kind was sent, which kinds wait to be sent
 * again (rebuilt from the events, never from stored text), and whether a check was left over.
 */
export interface AlertStateRecord {
  healingType: string;
  /** When each kind was last sent (ISO 8601). */
  lastSent: AlertStateJson;
  /** Kinds raised but not delivered, with when each was first raised (ISO 8601). */
  waiting: AlertStateJson;
  /** The figures of a waiting safety-brake alert; null when there is none or they were unreadable. */
  brake: BrakeDetail | null;
  /** A run could not check this type; the next run checks it even without new events. */
  checkLater: boolean;
}

export interface ReadAlertState {
  /** Null when no healing type can be told from the document. */
  record: AlertStateRecord | null;
  /** Fields that could not be read, by name (never their values): the document is written anew. */
  problems: string[];
  /** The document is not at its type's id (an earlier version's id, or written by hand): it is moved. */
  misplaced: boolean;
}

/** The document id of a healing type's alert state: valid for any name, a readable start and the name's SHA-256. */
export function alertStateId(healingType: string): string {
  const readable = healingType.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, READABLE_PREFIX);
  return `${readable}-${createHash('sha256').update(healingType).digest('hex')}`;
}

export function emptyAlertState(healingType: string): AlertStateRecord {
  return { healingType, lastSent: {}, waiting: {}, brake: null, checkLater: false };
}

/**
 * Reads an alert-state document leniently: whatever a writer put in any field, the result is a
 * record of checked values, and the fields it could not read are named. The type comes from
 * `healing_type` when the id is derived from it, else from the id's readable start when that is
 * the whole name; a document elsewhere with a `healing_type` is misplaced.
 */
export function readAlertState(id: string, data: DocumentData | undefined, now: Date): ReadAlertState {
  if (data === undefined) return { record: null, problems: [], misplaced: false };
  const problems: string[] = [];
  const stored: unknown = data.healing_type;
  const prefix = id.length > HASH_LENGTH && id.charAt(id.length - HASH_LENGTH - 1) === '-' ? id.slice(0, -(HASH_LENGTH + 1)) : null;
  let healingType: string;
  let misplaced = false;
  if (typeof stored === 'string' && alertStateId(stored) === id) healingType = stored;
  else if (prefix !== null && alertStateId(prefix) === id) {
    healingType = prefix;
    problems.push('healing_type');
  } else if (typeof stored === 'string' && stored !== '') {
    healingType = stored;
    misplaced = true;
  } else return { record: null, problems: ['healing_type'], misplaced: false };

  const lastSent = readTimes(data.last_sent, 'last_sent', now, problems);
  const waiting = readTimes(data.waiting, 'waiting', now, problems);
  if (data.undelivered !== undefined) {
    // An earlier version kept the undelivered message itself: never posted, only its kind is kept.
    problems.push('undelivered');
    const kind: unknown = isMap(data.undelivered) ? data.undelivered.kind : undefined;
    if (isKind(kind) && waiting[kind] === undefined) waiting[kind] = now.toISOString();
  }
  const brake = waiting.safety_brake === undefined ? null : readBrake(data.brake, problems);
  for (const field of ['check_later', 'retry'] as const) {
    if (data[field] !== undefined && typeof data[field] !== 'boolean') problems.push(field);
  }
  const checkLater = data.check_later === true || (data.retry === true && Object.keys(waiting).length === 0);
  return { record: { healingType, lastSent, waiting, brake, checkLater }, problems, misplaced };
}

/** The document written for a record; `retry` marks it for the next run's query when anything waits. */
export function toAlertStateDocument(record: AlertStateRecord): DocumentData {
  const document: DocumentData = {
    healing_type: record.healingType,
    last_sent: { ...record.lastSent },
    waiting: { ...record.waiting },
    check_later: record.checkLater,
    retry: record.checkLater || Object.keys(record.waiting).length > 0,
  };
  if (record.brake !== null && record.waiting.safety_brake !== undefined) {
    document.brake = { stalled: record.brake.stalled, limit: record.brake.limit, sample_ids: record.brake.sampleIds };
  }
  return document;
}

/** A brake's figures as they are kept: at most ten ids, each cut. */
export function brakeDetail(stalled: number, limit: number, sampleIds: readonly string[]): BrakeDetail {
  return { stalled, limit, sampleIds: sampleIds.slice(0, BRAKE_SAMPLE_IDS).map((id) => clip(id, BRAKE_SAMPLE_ID_LENGTH)) };
}

function readTimes(value: unknown, field: string, now: Date, problems: string[]): AlertStateJson {
  if (value === undefined) return {};
  if (!isMap(value)) {
    problems.push(field);
    return {};
  }
  const times: AlertStateJson = {};
  for (const [kind, time] of Object.entries(value)) {
    if (!isKind(kind)) problems.push(`${field} (an unknown kind)`);
    else if (!isTime(time, now)) problems.push(`${field}.${kind}`);
    else times[kind] = time;
  }
  return times;
}

function readBrake(value: unknown, problems: string[]): BrakeDetail | null {
  if (value === undefined) return null;
  const { stalled, limit, sample_ids: ids } = isMap(value) ? value : ({} as Record<string, unknown>);
  const counts = Number.isSafeInteger(stalled) && Number.isSafeInteger(limit) && (stalled as number) >= 0 && (limit as number) >= 1;
  if (!counts || !Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    problems.push('brake');
    return null;
  }
  return brakeDetail(stalled as number, limit as number, ids as string[]);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function isTime(value: unknown, now: Date): value is string {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && time <= now.getTime() + CLOCK_SKEW_MS;
}

function isKind(value: unknown): value is AlertKind {
  return typeof value === 'string' && (ALERT_KINDS as readonly string[]).includes(value);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
