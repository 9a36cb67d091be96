import type { Logger } from '../logger.js';
import type { AlertChannel, AlertSubject } from './AlertChannel.js';
import type { SlackMessage } from './slackMessages.js';

/** With no webhook the log is the alert channel: one WARNING line per alert, CRITICAL for critical and the safety brake. */
export class LogChannel implements AlertChannel {
  constructor(private readonly logger: Logger) {}

  async deliver(message: SlackMessage, { healingType, kind }: AlertSubject): Promise<boolean> {
    const fields = { alert_level: kind, healing_type: healingType };
    if (kind === 'critical' || kind === 'safety_brake') this.logger.critical(message.text, fields);
    else this.logger.warn(message.text, fields);
    return true;
  }

  async post(message: SlackMessage): Promise<boolean> {
    this.logger.info(message.text);
    return true;
  }
}
