import { ConfigError, loadSlackDeadlineSeconds, loadSlackWebhookUrl } from '../../shared/config.js';
import { postToSlack, SlackPostError } from '../../shared/alerts/postToSlack.js';
import type { SlackMessage } from '../../shared/alerts/slackMessages.js';
import { firstLine } from '../../shared/errorText.js';

/** Where and how long to post: from SLACK_WEBHOOK_URL and SLACK_DEADLINE_SECONDS. */
export interface SlackTarget {
  webhookUrl: string;
  deadlineMs: number;
}

/** Reads the webhook and the deadline for `--slack`; never repeats the webhook in an error, it is a secret. */
export function slackTarget(env: Record<string, string | undefined>): SlackTarget {
  const webhookUrl = loadSlackWebhookUrl(env);
  if (webhookUrl === undefined) throw new ConfigError('--slack needs SLACK_WEBHOOK_URL, the Slack incoming webhook to post the digest to; it is not set');
  return { webhookUrl, deadlineMs: loadSlackDeadlineSeconds(env) * 1000 };
}

/** Slack did not take the digest; the message names why, never the webhook. Programs exit 1 on it. */
export class SlackPostFailure extends Error {
  override name = 'SlackPostFailure';
}

/** Posts the digest once, within the deadline (connection and answer included). */
export async function postDigest(target: SlackTarget, digest: SlackMessage): Promise<void> {
  try {
    await postToSlack(target.webhookUrl, digest, target.deadlineMs);
  } catch (error) {
    throw new SlackPostFailure(`posting the digest to Slack failed: ${error instanceof SlackPostError ? error.message : firstLine(error)}`);
  }
}
