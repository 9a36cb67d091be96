import type { Firestore } from '@google-cloud/firestore';
import pMap from 'p-map';
import { firstLine } from '../errorText.js';
import type { FirestoreReadMeter } from '../firestoreReads.js';
import { errorFields, type Logger } from '../logger.js';
import { recommendStallMinutes } from '../stallRecommendation.js';
import { type AlertChannel, type Deadline, TYPES_IN_LOG_LINE } from './AlertChannel.js';
import { AlertGate, type Claim } from './AlertGate.js';
import { type AlertLevel, alertLevel, LEVEL_RANK, type PatternCounts, prematureAlert, type VerdictCounts } from './alertLevel.js';
import { type DueAlert, MAX_ALERT_MESSAGES, planMessages } from './alertPlan.js';
import { type AlertKind, isLevel, KIND_SEVERITY } from './AlertState.js';
import { type AlertStateRecord, type BrakeDetail, brakeDetail } from './alertStateDocument.js';
import { PatternDetector } from './PatternDetector.js';
import { alertMessage, type Investigation, prematureMessage, rollUpMessage, safetyBrakeMessage, type SlackMessage } from './slackMessages.js';

const RECENT_EVENTS_IN_ALERT = 5;
/** Premature verdicts read for the STALL_MINUTES recommendation, newest first. */
const PREMATURE_HEALS_READ = 500;
/** Types checked, and alerts claimed, at the same time. */
const CONCURRENCY = 8;

export interface AlerterOptions {
  firestore: Firestore;
  /** Firestore collection of healing events; alert state lives in `<collection>_alert_state`. */
  collection: string;
  channel: AlertChannel;
  logger: Logger;
  reads: FirestoreReadMeter;
  /** `project.dataset.table` of the healing events, named in every alert. */
  table: string;
  /** The job's STALL_MINUTES, the current rule a `premature` alert compares its recommendation with. */
  stallMinutes: number;
  /** Most alert messages in one run; the other alerts are named in one roll-up message. Default 10. */
  maxMessages?: number;
  now?: () => Date;
}

export interface CheckOptions {
  /** Types whose heals got new verdicts: each is checked for `premature`. Default none. */
  verdictTypes?: Iterable<string>;
}

/** What a check found for one type: its event counts when its levels were checked, its verdicts when `premature` was. */
export interface TypeCheck {
  healingType: string;
  counts?: PatternCounts;
  verdicts?: VerdictCounts;
}

/** An alert this run may send, and how to rebuild it. */
interface Finding extends DueAlert {
  /** When an earlier run first raised it, when it waited. */
  waitingSince: string | null;
  brake?: BrakeDetail | null;
}

/**
 * Alerts on healing patterns, once an hour per kind and type whatever the number of runs, through
 * Slack or the log. An alert the channel did not take waits in the alert state as what it was
 * about, and the next run rebuilds it from the events. A failure for one type never stops the
 * others, and no method throws: alerting failing is logged, never a failed run.
 */
export class Alerter {
  private readonly gate: AlertGate;
  private readonly patterns: PatternDetector;
  private readonly now: () => Date;
  /** Alert messages this run delivered outside `check` (the safety brake's): they count toward `maxMessages`. */
  private delivered = 0;

  constructor(private readonly options: AlerterOptions) {
    const events = options.firestore.collection(options.collection);
    this.gate = new AlertGate(options.firestore, options.firestore.collection(`${options.collection}_alert_state`), options.reads, options.logger);
    this.patterns = new PatternDetector(events, options.reads);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Checks the levels of every type given, `premature` for every verdict type given, and every
   * type an earlier run left waiting; then sends what is due, worst first: at most `maxMessages`
   * messages, the rest named in one roll-up. Types it has no time left for are checked next run.
   */
  async check(healingTypes: Iterable<string>, deadline: Deadline, { verdictTypes = [] }: CheckOptions = {}): Promise<TypeCheck[]> {
    const now = this.now();
    const waiting = new Map((await this.waiting(now)).map((record) => [record.healingType, record]));
    const levels = new Set(healingTypes);
    const verdicts = new Set(verdictTypes);
    for (const record of waiting.values()) {
      const kinds = Object.keys(record.waiting) as AlertKind[];
      if (record.checkLater || kinds.some(isLevel)) levels.add(record.healingType);
      if (record.checkLater || kinds.includes('premature')) verdicts.add(record.healingType);
    }
    const types = [...new Set([...levels, ...verdicts, ...waiting.keys()])].sort();
    const checks: TypeCheck[] = [];
    const findings: Finding[] = [];
    const late: string[] = [];
    const failed: string[] = [];
    await pMap(
      types,
      async (healingType) => {
        if (deadline.passed) return void late.push(healingType);
        try {
          const found = await this.checkType(healingType, { levels: levels.has(healingType), verdicts: verdicts.has(healingType) }, waiting.get(healingType), now);
          checks.push(found.check);
          findings.push(...found.findings);
        } catch (error) {
          this.failed(healingType, 'its check', error);
          failed.push(healingType);
        }
      },
      { concurrency: CONCURRENCY },
    );
    await this.checkNextRun(late, `alerting deadline reached: ${late.length} healing type(s) not checked in this run`);
    await this.checkNextRun(failed, undefined);
    await this.send(findings, deadline, now);
    return checks.sort((a, b) => (a.healingType < b.healingType ? -1 : 1));
  }

  /** Raises the safety brake's critical alert, once an hour; a brake alert not delivered waits with its figures for the next run. */
  async raiseSafetyBrake(healingType: string, stalled: number, limit: number, sampleIds: readonly string[], deadline: Deadline): Promise<boolean> {
    const brake = brakeDetail(stalled, limit, sampleIds);
    const now = this.now();
    try {
      const claim = await this.gate.claim(healingType, 'safety_brake', now);
      if (claim === null) return this.suppressed(healingType, 'safety_brake');
      const delivered = await this.deliver({ healingType, kind: 'safety_brake', waitingSince: null, brake }, claim, deadline, now);
      if (delivered) this.delivered += 1;
      return delivered;
    } catch (error) {
      this.failed(healingType, 'its safety brake alert', error);
      return false;
    }
  }

  /** Posts a message outside the alert rules, such as a run summary. */
  async post(message: SlackMessage, deadline: Deadline): Promise<boolean> {
    return this.options.channel.post(message, deadline);
  }

  investigation(healingType: string): Investigation {
    return { healingType, table: this.options.table };
  }

  private async waiting(now: Date): Promise<AlertStateRecord[]> {
    try {
      return await this.gate.waiting(now);
    } catch (error) {
      this.options.logger.error(`could not read the alerts earlier runs left waiting: ${firstLine(error)}; they are tried again next run`, errorFields(error));
      return [];
    }
  }

  /**
   * One type's check: its level (and a level left waiting), its `premature` verdicts (and one left
   * waiting), a safety brake left waiting. A waiting alert with nothing left to rebuild it from (no
   * event or premature verdict in 24 hours, or brake figures it cannot read) is dropped: nothing
   * from the alert state alone is ever posted.
   */
  private async checkType(healingType: string, check: { levels: boolean; verdicts: boolean }, record: AlertStateRecord | undefined, now: Date): Promise<{ check: TypeCheck; findings: Finding[] }> {
    const { logger } = this.options;
    const waiting = record?.waiting ?? {};
    const result: TypeCheck = { healingType };
    const findings: Finding[] = [];
    const dropped: AlertKind[] = [];
    if (check.levels) {
      const counts = await this.patterns.counts(healingType, now);
      result.counts = counts;
      const level = alertLevel(counts);
      logger.info(`healing pattern for ${healingType}: ${level ?? 'normal'}`, { healing_type: healingType, pattern_level: level, ...counts });
      const waitingLevels = (Object.keys(waiting) as AlertKind[]).filter(isLevel).sort((a, b) => LEVEL_RANK[b] - LEVEL_RANK[a]);
      const waitingLevel = waitingLevels[0];
      const kind: AlertLevel | undefined = level !== null && (waitingLevel === undefined || LEVEL_RANK[level] >= LEVEL_RANK[waitingLevel]) ? level : waitingLevel;
      if (level === null && counts.lastDay === 0) dropped.push(...waitingLevels);
      else if (kind !== undefined) findings.push({ healingType, kind, counts, waitingSince: kind === waitingLevel ? waiting[kind]! : null });
    }
    if (check.verdicts) {
      const verdicts = await this.patterns.verdictCounts(healingType, now);
      result.verdicts = verdicts;
      const due = prematureAlert(verdicts);
      logger.info(`heal verdicts for ${healingType}: ${verdicts.premature} premature, ${verdicts.held} held in 24 h`, { healing_type: healingType, premature_alert: due, ...verdicts });
      if (due || waiting.premature !== undefined) {
        if (verdicts.premature === 0) dropped.push('premature');
        else findings.push({ healingType, kind: 'premature', verdicts, waitingSince: waiting.premature ?? null });
      }
    }
    if (waiting.safety_brake !== undefined) {
      if (record?.brake) findings.push({ healingType, kind: 'safety_brake', brake: record.brake, waitingSince: waiting.safety_brake });
      else dropped.push('safety_brake');
    }
    for (const kind of dropped) logger.info(`${kind} alert for ${healingType} left waiting by an earlier run is dropped: nothing left to rebuild it from`, { healing_type: healingType, alert_level: kind });
    if (record !== undefined && (dropped.length > 0 || (record.checkLater && findings.length === 0))) await this.gate.settle(healingType, now, dropped);
    return { check: result, findings };
  }

  /** Claims what is due, then sends the worst alerts one message each and names the rest in one roll-up. */
  private async send(findings: Finding[], deadline: Deadline, now: Date): Promise<void> {
    const claimed: Array<Finding & { claim: Claim }> = [];
    const unclaimed: string[] = [];
    const byType = new Map<string, Finding[]>();
    for (const finding of findings) byType.set(finding.healingType, [...(byType.get(finding.healingType) ?? []), finding]);
    await pMap(
      byType.entries(),
      async ([healingType, ofType]) => {
        if (deadline.passed) return void unclaimed.push(healingType);
        for (const finding of ofType.sort((a, b) => KIND_SEVERITY[b.kind] - KIND_SEVERITY[a.kind])) {
          try {
            const claim = await this.gate.claim(finding.healingType, finding.kind, now, finding.waitingSince);
            if (claim === null) this.suppressed(finding.healingType, finding.kind);
            else claimed.push({ ...finding, claim });
          } catch (error) {
            this.failed(finding.healingType, `claiming its ${finding.kind} alert`, error);
          }
        }
      },
      { concurrency: CONCURRENCY },
    );
    await this.checkNextRun(unclaimed, `alerting deadline reached: ${unclaimed.length} healing type(s) not alerted in this run`);
    const maxMessages = this.options.maxMessages ?? MAX_ALERT_MESSAGES;
    const { own, rolledUp } = planMessages(claimed, Math.max(0, maxMessages - this.delivered));
    for (const finding of own) await this.deliver(finding, finding.claim, deadline, now);
    if (rolledUp.length > 0) await this.deliverRollUp(rolledUp, maxMessages, deadline, now);
  }

  /** Builds one alert's message from the events (never from stored text) and delivers it; one not delivered waits for the next run. */
  private async deliver(finding: Finding, claim: Claim, deadline: Deadline, now: Date): Promise<boolean> {
    const { healingType, kind } = finding;
    let delivered = false;
    try {
      const message = await this.message(finding, now);
      delivered = await this.options.channel.deliver(message, { healingType, kind }, deadline);
    } catch (error) {
      this.failed(healingType, `its ${kind} alert`, error);
    }
    if (!delivered) await this.gate.release(healingType, claim, now, finding.brake ?? null).catch((error: unknown) => this.failed(healingType, `keeping its ${kind} alert for the next run`, error));
    return delivered;
  }

  /** The alerts past the message limit, in one message; they count as sent, or all wait for the next run when it is not delivered. */
  private async deliverRollUp(alerts: Array<Finding & { claim: Claim }>, maxMessages: number, deadline: Deadline, now: Date): Promise<void> {
    const message = rollUpMessage(alerts, maxMessages, this.options.table);
    const delivered = await this.options.channel.deliver(message, { healingTypes: alerts.map((alert) => alert.healingType), kind: alerts[0]!.kind }, deadline);
    if (delivered) return;
    await pMap(
      alerts,
      (alert) => this.gate.release(alert.healingType, alert.claim, now, alert.brake ?? null).catch((error: unknown) => this.failed(alert.healingType, `keeping its ${alert.kind} alert for the next run`, error)),
      { concurrency: CONCURRENCY },
    );
  }

  private async message(finding: Finding, now: Date): Promise<SlackMessage> {
    const { healingType, kind } = finding;
    const investigation = this.investigation(healingType);
    const options = finding.waitingSince === null ? {} : { raisedAt: new Date(finding.waitingSince) };
    if (kind === 'safety_brake') return safetyBrakeMessage(finding.brake!, investigation, options);
    if (kind === 'premature') {
      const heals = await this.patterns.prematureHeals(healingType, now, PREMATURE_HEALS_READ);
      const recommendation = recommendStallMinutes(heals, this.options.stallMinutes);
      return prematureMessage(healingType, finding.verdicts!, recommendation, this.options.stallMinutes, investigation, options);
    }
    const recent = await this.patterns.recent(healingType, RECENT_EVENTS_IN_ALERT, now);
    return alertMessage(kind, healingType, finding.counts!, recent, investigation, options);
  }

  /** Types this run could not check or alert on: the next run checks them even without new events. */
  private async checkNextRun(healingTypes: string[], why: string | undefined): Promise<void> {
    if (healingTypes.length === 0) return;
    const { logger } = this.options;
    if (why !== undefined) logger.warn(`${why}; they are checked next run`, { healing_types: healingTypes.slice(0, TYPES_IN_LOG_LINE) });
    await this.gate.checkLater(healingTypes).catch((error: unknown) => logger.error(`could not mark ${healingTypes.length} healing type(s) to be checked next run: ${firstLine(error)}`, errorFields(error)));
  }

  private suppressed(healingType: string, kind: AlertKind): false {
    this.options.logger.info(`${kind} alert for ${healingType} already raised within the hour`, { alert_level: kind, healing_type: healingType, suppressed: true });
    return false;
  }

  private failed(healingType: string, what: string, error: unknown): void {
    this.options.logger.error(`alerting for ${healingType} failed at ${what}: ${firstLine(error)}`, { healing_type: healingType, ...errorFields(error) });
  }
}
