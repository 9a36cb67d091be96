import type { Logger } from '../logger.js';
import { type AlertChannel, type AlertSubject, subjectFields } from './AlertChannel.js';
import type { SlackMessage } from './slackMessages.js';

/** With no webhook the log is the alert channel: one WARNING line per alert, CRITICAL for critical and the safety brake. */
export class LogChannel implements AlertChannel {
  constructor(private readonly logger: Logger) {}

  async deliver(message: SlackMessage, subject: AlertSubject): Promise<boolean> {
    const fields = subjectFields(subject);
    if (subject.kind === 'critical' || subject.kind === 'safety_brake') this.logger.critical(message.text, fields);
    else this.logger.warn(message.text, fields);
    return true;
  }

  async post(message: SlackMessage): Promise<boolean> {
    this.logger.info(message.text);
    return true;
  }
}
