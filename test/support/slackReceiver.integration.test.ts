import { IncomingWebhook } from '@slack/webhook';
import { SlackReceiver } from './slackReceiver.js';

let receiver: SlackReceiver;
let url: string;

beforeEach(async () => {
  receiver = new SlackReceiver();
  url = await receiver.start();
});

afterEach(async () => {
  await receiver.stop();
});

async function post(body: unknown, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

const valid = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };
const overLimit = { text: 'hello', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] };

describe('Slack stand-in', () => {
  it('takes a message within the limits with 200 ok', async () => {
    expect(await post(valid)).toEqual({ status: 200, body: 'ok' });
    expect(receiver.messages).toEqual([valid]);
  });

  it('refuses a message over Block Kit limits with 400 invalid_blocks, as Slack does, and keeps it aside', async () => {
    expect(await post(overLimit)).toEqual({ status: 400, body: 'invalid_blocks' });
    expect(receiver.refused).toEqual([{ message: overLimit, violations: ['block 0 (header) text is 151 characters, more than 150'] }]);
    await expect(new IncomingWebhook(url).send(overLimit)).rejects.toThrow(/invalid_blocks|400/);
  });

  it('plays an outage with the status it is given, keeping nothing', async () => {
    receiver.status = 503;
    expect(await post(valid)).toEqual({ status: 503, body: 'internal_error' });
    expect(receiver.messages).toEqual([]);
  });

  it('past rateLimitAfter messages answers 429 rate_limited to every request, counting each', async () => {
    receiver.rateLimitAfter = 1;
    expect(await post(valid)).toEqual({ status: 200, body: 'ok' });
    expect(await post(valid)).toEqual({ status: 429, body: 'rate_limited' });
    expect(await post(valid)).toEqual({ status: 429, body: 'rate_limited' });
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.requests).toBe(3);
  });

  it('in hang mode reads the request and never answers; stop() ends at once and drops the connection', async () => {
    receiver.hang = true;
    const pending = post(valid, 60_000).then(
      () => 'answered',
      () => 'dropped',
    );
    while (receiver.held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const raced = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300))]);
    expect(raced).toBe('still waiting');
    const started = Date.now();
    await receiver.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
    expect(receiver.held).toEqual([valid]);
  });
});
