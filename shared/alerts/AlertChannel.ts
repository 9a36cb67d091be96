import type { AlertKind } from './AlertState.js';
import type { SlackMessage } from './slackMessages.js';

/** What an alert is about, carried in its log lines. */
export interface AlertSubject {
  healingType: string;
  kind: AlertKind;
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
