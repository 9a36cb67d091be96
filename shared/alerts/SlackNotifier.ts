import { IncomingWebhook } from '@slack/webhook';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './slackMessages.js';

export interface SlackNotifierOptions {
  /** Incoming webhook URL; unset sends every message to the log only. */
  webhookUrl: string | undefined;
  logger: Logger;
  /** Milliseconds before one post is abandoned. Default 10,000. */
  timeoutMs?: number;
  /** Retries after a 5xx answer or a network error. Default 2. */
  retries?: number;
}

/** Posts to Slack; a Slack that is down or unset is logged and never fails the caller. */
export class SlackNotifier {
  private readonly webhook: IncomingWebhook | undefined;

  constructor(private readonly options: SlackNotifierOptions) {
    this.webhook =
      options.webhookUrl === undefined
        ? undefined
        : new IncomingWebhook(options.webhookUrl, {
            timeout: options.timeoutMs ?? 10_000,
            retryConfig: { retries: options.retries ?? 2, minTimeout: 200, maxTimeout: 2_000 },
          });
  }

  /** True when Slack accepted the message. */
  async send(message: SlackMessage, logFields: Record<string, unknown> = {}): Promise<boolean> {
    if (this.webhook === undefined) {
      this.options.logger.info(`Slack not configured; alert: ${message.text}`, { ...logFields, alert: message.text });
      return false;
    }
    try {
      await this.webhook.send({ text: message.text, blocks: message.blocks });
      this.options.logger.info('Slack message sent', { ...logFields, alert: message.text });
      return true;
    } catch (error) {
      this.options.logger.warn(`Slack message not delivered: ${error instanceof Error ? error.message : String(error)}`, {
        ...logFields,
        alert: message.text,
      });
      return false;
    }
  }
}
