import type { Logger } from '../logger.js';
import { type AlertChannel, type AlertSubject, type Deadline, subjectFields } from './AlertChannel.js';
import { postToSlack, SlackPostError } from './postToSlack.js';
import type { SlackMessage } from './slackMessages.js';

export interface SlackChannelOptions {
  /** Incoming webhook URL; never logged. */
  webhookUrl: string;
  logger: Logger;
  /** Milliseconds one post may take (`SLACK_DEADLINE_SECONDS`). */
  postTimeoutMs: number;
}

/**
 * Posts to a Slack incoming webhook, each post under its own deadline. After a post that got no
 * answer, or a `429` (Slack asking to slow down), posting ends for the rest of the run: later
 * messages are not tried (the caller keeps them for the next run), so a hanging Slack costs one
 * deadline, not one per message.
 */
export class SlackChannel implements AlertChannel {
  private down: string | undefined;

  constructor(private readonly options: SlackChannelOptions) {}

  async deliver(message: SlackMessage, subject: AlertSubject, deadline: Deadline): Promise<boolean> {
    return this.send(message, deadline, subjectFields(subject));
  }

  async post(message: SlackMessage, deadline: Deadline): Promise<boolean> {
    return this.send(message, deadline, {});
  }

  private async send(message: SlackMessage, deadline: Deadline, fields: Record<string, unknown>): Promise<boolean> {
    const { logger } = this.options;
    const timeout = Math.min(this.options.postTimeoutMs, deadline.remainingMs());
    if (this.down !== undefined || timeout === 0) {
      logger.warn(`Slack message not delivered: ${this.down ?? 'alerting deadline reached'}; it is tried again next run`, { ...fields, alert: message.text });
      return false;
    }
    try {
      await postToSlack(this.options.webhookUrl, message, timeout);
      logger.info(`Slack message delivered: ${message.text}`, fields);
      return true;
    } catch (error) {
      const failure = error instanceof SlackPostError ? error : new SlackPostError(String(error), false, false);
      if (failure.invalid) {
        logger.error(`Slack refused the message as invalid (${failure.message})`, { ...fields, alert: message.text, slack_answer: failure.message });
        return false;
      }
      if (!failure.answered) this.down = `Slack did not answer earlier in this run (${failure.message})`;
      if (failure.status === 429) this.down = 'Slack answered 429 (too many messages) earlier in this run';
      const ends = this.down === undefined ? '' : '; posting ends for this run';
      logger.warn(`Slack message not delivered: ${failure.message}${ends}; it is tried again next run`, { ...fields, alert: message.text });
      return false;
    }
  }
}
