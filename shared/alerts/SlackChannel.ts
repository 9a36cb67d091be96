import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import type { Logger } from '../logger.js';
import type { AlertChannel, AlertSubject, Deadline } from './AlertChannel.js';
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
 * answer, Slack counts as down for the rest of the run: later messages are not tried (the caller
 * keeps them for the next run), so a hanging Slack costs one deadline, not one per message.
 */
export class SlackChannel implements AlertChannel {
  private down: string | undefined;

  constructor(private readonly options: SlackChannelOptions) {}

  async deliver(message: SlackMessage, { healingType, kind }: AlertSubject, deadline: Deadline): Promise<boolean> {
    return this.send(message, deadline, { alert_level: kind, healing_type: healingType });
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
    const webhook = new IncomingWebhook(this.options.webhookUrl, {
      timeout,
      fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeout) }),
    });
    try {
      await webhook.send({ text: message.text, blocks: message.blocks });
      logger.info(`Slack message delivered: ${message.text}`, fields);
      return true;
    } catch (error) {
      if (error instanceof IncomingWebhookHTTPError && error.statusCode === 400) {
        logger.error(`Slack refused the message as invalid (HTTP 400 ${error.body.trim().slice(0, 200)})`, { ...fields, alert: message.text, slack_answer: error.body.slice(0, 500) });
        return false;
      }
      const reason = error instanceof IncomingWebhookHTTPError ? `Slack answered HTTP ${error.statusCode}` : `Slack did not answer within ${timeout} ms or could not be reached`;
      if (!(error instanceof IncomingWebhookHTTPError)) this.down = reason;
      logger.warn(`Slack message not delivered: ${reason}`, { ...fields, alert: message.text });
      return false;
    }
  }
}
