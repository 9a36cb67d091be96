import type { Firestore } from '@google-cloud/firestore';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import type { Logger } from '../logger.js';
import type { AlertChannel, Deadline } from './AlertChannel.js';
import { AlertGate } from './AlertGate.js';
import { alertLevel, type PatternCounts } from './alertLevel.js';
import type { AlertKind } from './AlertState.js';
import { PatternDetector } from './PatternDetector.js';
import { alertMessage, type Investigation, type SlackMessage } from './slackMessages.js';

const RECENT_EVENTS_IN_ALERT = 5;

export interface AlerterOptions {
  firestore: Firestore;
  /** Firestore collection of healing events; alert state lives in `<collection>_alert_state`. */
  collection: string;
  channel: AlertChannel;
  logger: Logger;
  reads: FirestoreReadMeter;
  /** `project.dataset.table` of the healing events, named in every alert. */
  table: string;
  now?: () => Date;
}

export interface TypeCheck {
  healingType: string;
  counts: PatternCounts;
}

/**
 * Alerts on healing patterns, once an hour per level and type whatever the number of runs, through
 * Slack or the log. An alert the channel did not take is sent again by the next run.
 */
export class Alerter {
  private readonly gate: AlertGate;
  private readonly patterns: PatternDetector;
  private readonly now: () => Date;
  /** Types whose alert state asks for another try; only their state is cleared after a delivery. */
  private readonly waiting = new Set<string>();

  constructor(private readonly options: AlerterOptions) {
    const events = options.firestore.collection(options.collection);
    this.gate = new AlertGate(options.firestore, options.firestore.collection(`${options.collection}_alert_state`), options.reads);
    this.patterns = new PatternDetector(events, options.reads);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Sends again what earlier runs could not deliver, then checks the level of every type given and
   * every type left waiting. Types it has no time left for are marked to be checked next run.
   */
  async check(healingTypes: Iterable<string>, deadline: Deadline): Promise<TypeCheck[]> {
    const waiting = await this.gate.waiting();
    for (const alert of waiting) this.waiting.add(alert.healingType);
    for (const alert of waiting) {
      if (alert.kind !== null && alert.message !== null && !deadline.passed) {
        await this.raise(alert.healingType, alert.kind, alert.message, deadline, true);
      }
    }
    const types = [...new Set([...healingTypes, ...waiting.map((alert) => alert.healingType)])].sort();
    const checks: TypeCheck[] = [];
    for (const [index, healingType] of types.entries()) {
      if (deadline.passed) {
        const left = types.slice(index);
        this.options.logger.warn(`alerting deadline reached; ${left.length} healing type(s) are checked next run`, { healing_types: left });
        await this.gate.checkLater(left);
        break;
      }
      const leftToCheck = waiting.some((alert) => alert.healingType === healingType && alert.kind === null);
      checks.push(await this.checkType(healingType, deadline, leftToCheck));
    }
    return checks;
  }

  /** Sends an alert unless the same kind (or a higher level) went out for this type within the hour. */
  async raise(healingType: string, kind: AlertKind, message: SlackMessage, deadline: Deadline, wasWaiting = false): Promise<boolean> {
    const claim = await this.gate.claim(healingType, kind, this.now());
    if (claim === null) {
      this.options.logger.info(`${kind} alert for ${healingType} already raised within the hour`, { alert_level: kind, healing_type: healingType, suppressed: true });
      if (wasWaiting) await this.gate.delivered(healingType);
      return false;
    }
    const delivered = await this.options.channel.deliver(message, { healingType, kind }, deadline);
    if (!delivered) {
      await this.gate.undelivered(healingType, kind, claim.previous, message);
      this.waiting.add(healingType);
    } else if (this.waiting.delete(healingType)) {
      await this.gate.delivered(healingType);
    }
    return delivered;
  }

  /** Posts a message outside the alert rules, such as a run summary. */
  async post(message: SlackMessage, deadline: Deadline): Promise<boolean> {
    return this.options.channel.post(message, deadline);
  }

  investigation(healingType: string): Investigation {
    return { healingType, table: this.options.table };
  }

  private async checkType(healingType: string, deadline: Deadline, leftToCheck: boolean): Promise<TypeCheck> {
    const now = this.now();
    const counts = await this.patterns.counts(healingType, now);
    const level = alertLevel(counts);
    this.options.logger.info(`healing pattern for ${healingType}: ${level ?? 'normal'}`, { healing_type: healingType, pattern_level: level, ...counts });
    if (level === null) {
      if (leftToCheck) await this.gate.delivered(healingType);
      return { healingType, counts };
    }
    const recent = await this.patterns.recent(healingType, RECENT_EVENTS_IN_ALERT);
    await this.raise(healingType, level, alertMessage(level, healingType, counts, recent, this.investigation(healingType)), deadline, leftToCheck);
    return { healingType, counts };
  }
}
