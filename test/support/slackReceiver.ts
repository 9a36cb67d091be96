import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  text?: string;
  blocks?: Array<Record<string, unknown>>;
}

/** A real HTTP server on loopback standing in for Slack's incoming-webhook endpoint. */
export class SlackReceiver {
  readonly messages: ReceivedMessage[] = [];
  /** Status code the receiver answers with; 200 like Slack, or e.g. 500 to play an outage. */
  status = 200;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (this.status === 200) this.messages.push(JSON.parse(body) as ReceivedMessage);
        response.writeHead(this.status, { 'content-type': 'text/plain' });
        response.end(this.status === 200 ? 'ok' : 'internal_error');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/services/T000/B000/XXXX`;
  }

  /** Every message's text and block text joined, for asserting on content. */
  textOf(message: ReceivedMessage): string {
    return [message.text ?? '', JSON.stringify(message.blocks ?? [])].join('\n');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
