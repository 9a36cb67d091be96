import { IncomingWebhook } from '@slack/webhook';
import { ConfigError } from '../../shared/config.js';
import type { SlackDigest } from './slackDigest.js';

/** Where and how long to post: from SLACK_WEBHOOK_URL and SLACK_DEADLINE_SECONDS. */
export interface SlackTarget {
  webhookUrl: string;
  deadlineMs: number;
}

/** Reads the webhook and the deadline for `--slack`; never repeats the webhook in an error, it is a secret. */
export function slackTarget(env: Record<string, string | undefined>): SlackTarget {
  const webhookUrl = env.SLACK_WEBHOOK_URL?.trim();
  if (!webhookUrl) throw new ConfigError('--slack needs SLACK_WEBHOOK_URL, the Slack incoming webhook to post the digest to; it is not set');
  let url: URL | undefined;
  try {
    url = new URL(webhookUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ConfigError('SLACK_WEBHOOK_URL is not an http(s) URL');
  const raw = env.SLACK_DEADLINE_SECONDS?.trim();
  const seconds = raw ? Number(raw) : 15;
  if (!/^\d+(\.\d+)?$/.test(raw ?? '15') || !(seconds > 0) || seconds > 600) {
    throw new ConfigError(`SLACK_DEADLINE_SECONDS must be a number above 0 and at most 600, got "${raw}"`);
  }
  return { webhookUrl, deadlineMs: seconds * 1000 };
}

/** Slack did not take the digest; the message names why, never the webhook. Programs exit 1 on it. */
export class SlackPostFailure extends Error {
  override name = 'SlackPostFailure';
}

/** Posts the digest once, within the deadline (connection and answer included). */
export async function postDigest(target: SlackTarget, digest: SlackDigest): Promise<void> {
  const webhook = new IncomingWebhook(target.webhookUrl, { timeout: target.deadlineMs, retryConfig: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${target.deadlineMs / 1000} s (SLACK_DEADLINE_SECONDS)`)), target.deadlineMs + 1000);
  });
  try {
    await Promise.race([webhook.send({ text: digest.text, blocks: digest.blocks }), deadline]);
  } catch (error) {
    throw new SlackPostFailure(`posting the digest to Slack failed: ${reasonOf(error, target.webhookUrl)}`);
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(error: unknown, webhookUrl: string): string {
  const http = error as { statusCode?: number; body?: unknown };
  let reason: string;
  if (typeof http.statusCode === 'number') {
    const body = typeof http.body === 'string' ? http.body.trim().split('\n')[0]!.slice(0, 100) : '';
    reason = `Slack answered HTTP ${http.statusCode}${body ? ` ${body}` : ''}`;
  } else {
    const chain: Array<{ code?: unknown; name?: unknown; message?: unknown; cause?: unknown }> = [];
    for (let link = error as (typeof chain)[number] | undefined; link && chain.length < 5; link = link.cause as (typeof chain)[number] | undefined) chain.push(link);
    const code = chain.find((link) => typeof link.code === 'string' && /^E[A-Z]+$/.test(link.code))?.code as string | undefined;
    const timedOut = chain.some((link) => link.name === 'TimeoutError' || link.name === 'AbortError' || link.code === 'ECONNABORTED' || /timeout|no answer within/i.test(String(link.message)));
    const deepest = chain.at(-1)?.message;
    reason = timedOut ? `no answer within ${deadlineText}` : (code ?? (typeof deepest === 'string' ? deepest : String(error)));
  }
  return hideWebhook(reason.split('\n')[0]!, webhookUrl);
}

const deadlineText = 'SLACK_DEADLINE_SECONDS';

/** The webhook URL is a credential: cut it (and anything shaped like one) out of any text. */
export function hideWebhook(text: string, webhookUrl: string): string {
  return text.split(webhookUrl).join('the webhook').replace(/https?:\/\/\S*\/services\/\S+/g, 'the webhook');
}
