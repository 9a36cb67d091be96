import { IncomingWebhook } from '@slack/webhook';
import { firstLine } from '../errorText.js';
import type { SlackMessage } from './slackMessages.js';

/**
 * Slack did not take a message. `answered` when Slack gave an HTTP answer, with its `status`;
 * `invalid` when that answer was 400 (the message breaks Block Kit's rules). The message never
 * holds the webhook.
 */
export class SlackPostError extends Error {
  override name = 'SlackPostError';

  constructor(
    message: string,
    readonly answered: boolean,
    readonly invalid: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** Posts one message to an incoming webhook, connection and answer within `timeoutMs`, without retries. */
export async function postToSlack(webhookUrl: string, message: SlackMessage, timeoutMs: number): Promise<void> {
  const webhook = new IncomingWebhook(webhookUrl, { timeout: Math.max(1, timeoutMs) });
  try {
    await webhook.send({ text: message.text, blocks: message.blocks });
  } catch (error) {
    throw toPostError(error, webhookUrl, timeoutMs);
  }
}

type ErrorLink = { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; statusCode?: unknown; body?: unknown };

/** Why Slack did not take it, in one line: its HTTP answer, the network error's code, or the deadline. */
function toPostError(error: unknown, webhookUrl: string, timeoutMs: number): SlackPostError {
  const http = error as ErrorLink;
  if (typeof http.statusCode === 'number') {
    const body = typeof http.body === 'string' ? firstLine(http.body, 100) : '';
    return new SlackPostError(hideWebhook(`Slack answered HTTP ${http.statusCode}${body ? ` ${body}` : ''}`, webhookUrl), true, http.statusCode === 400, http.statusCode);
  }
  // Checked by shape, not class: fetch's errors may come from another realm (jest's sandbox).
  const chain: ErrorLink[] = [];
  for (let link = error as ErrorLink | undefined; link && chain.length < 5; link = link.cause as ErrorLink | undefined) chain.push(link);
  const code = chain.find((link) => typeof link.code === 'string' && /^E[A-Z]+$/.test(link.code))?.code as string | undefined;
  const timedOut = chain.some((link) => link.name === 'TimeoutError' || link.name === 'AbortError' || link.code === 'ECONNABORTED' || /timeout/i.test(String(link.message)));
  const deepest = chain.at(-1);
  const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : (code ?? firstLine(deepest ?? error));
  return new SlackPostError(hideWebhook(reason, webhookUrl), false, false);
}

/** The webhook URL is a credential: cut it (and anything shaped like one) out of any text. */
function hideWebhook(text: string, webhookUrl: string): string {
  return text.split(webhookUrl).join('the webhook').replace(/https?:\/\/\S*\/services\/\S+/g, 'the webhook');
}
