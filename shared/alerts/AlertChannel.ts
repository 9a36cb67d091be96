import type { AlertKind } from './AlertState.js';
import type { SlackMessage } from './slackMessages.js';

/** What an alert is about, carried in its log lines: one healing type, or the types a roll-up names. */
export type AlertSubject = { healingType: string; kind: AlertKind } | { healingTypes: string[]; kind: AlertKind };

/** Healing types named in one log line; the message names more. */
export const TYPES_IN_LOG_LINE = 50;

/** The log fields of an alert: `alert_level` and `healing_type`, or for a roll-up the types it names. */
export function subjectFields(subject: AlertSubject): Record<string, unknown> {
  if ('healingType' in subject) return { alert_level: subject.kind, healing_type: subject.healingType };
  return { alert_level: subject.kind, roll_up: true, alerts_rolled_up: subject.healingTypes.length, healing_types: subject.healingTypes.slice(0, TYPES_IN_LOG_LINE) };
}

/** Where alerts go: Slack when a webhook is set, else the log. */
export interface AlertChannel {
  /** True when the channel took the alert. */
  deliver(message: SlackMessage, subject: AlertSubject, deadline: Deadline): Promise<boolean>;
  /** A message outside the alert rules, such as a run summary; true when it was taken. */
  post(message: SlackMessage, deadline: Deadline): Promise<boolean>;
}

/** A point in time work must end by. */
export class Deadline {
  private readonly endsAt: number;

  constructor(
    milliseconds: number,
    private readonly stop?: AbortSignal,
  ) {
    this.endsAt = Date.now() + milliseconds;
  }

  remainingMs(): number {
    return this.stop?.aborted ? 0 : Math.max(0, this.endsAt - Date.now());
  }

  get passed(): boolean {
    return this.remainingMs() === 0;
  }
}
