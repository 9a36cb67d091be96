import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { blockKitViolations } from './blockKitLimits.js';

export interface ReceivedMessage {
  text?: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface RefusedMessage {
  message: ReceivedMessage;
  /** Why Slack would refuse it, one line per broken limit. */
  violations: string[];
}

/**
 * A real HTTP server on loopback standing in for Slack's incoming-webhook endpoint. Like Slack,
 * it answers `400 invalid_blocks` to a message over Block Kit's limits.
 */
export class SlackReceiver {
  /** Messages taken (answered 200). */
  readonly messages: ReceivedMessage[] = [];
  /** Messages refused as invalid (answered `400 invalid_blocks`), with the limits they break. */
  readonly refused: RefusedMessage[] = [];
  /** Messages received in `hang` mode and never answered. */
  readonly held: ReceivedMessage[] = [];
  /** Status code the receiver answers with; 200 like Slack, or e.g. 500 to play an outage (the message is not kept). */
  status = 200;
  /** When set, takes this many messages in all and answers `429 rate_limited` to every later one, like Slack past its rate. */
  rateLimitAfter: number | null = null;
  /** Every request received, whatever the answer. */
  requests = 0;
  /** When true, accepts the connection and reads the request but never answers, until `stop()`. */
  hang = false;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        this.requests += 1;
        const message = parse(body);
        if (this.hang) {
          if (message) this.held.push(message);
          return;
        }
        if (this.status !== 200) return answer(response, this.status, 'internal_error');
        if (this.rateLimitAfter !== null && this.messages.length >= this.rateLimitAfter) return answer(response, 429, 'rate_limited');
        if (!message) return answer(response, 400, 'invalid_payload');
        const violations = blockKitViolations(message);
        if (violations.length > 0) {
          this.refused.push({ message, violations });
          return answer(response, 400, 'invalid_blocks');
        }
        this.messages.push(message);
        answer(response, 200, 'ok');
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/services/T000/B000/XXXX`;
  }

  /** Forgets every message and request and answers like Slack again: 200, no rate limit, no hang. */
  reset(): void {
    this.messages.length = 0;
    this.refused.length = 0;
    this.held.length = 0;
    this.requests = 0;
    this.status = 200;
    this.rateLimitAfter = null;
    this.hang = false;
  }

  /** Every message's text and block text joined, for asserting on content. */
  textOf(message: ReceivedMessage): string {
    return [message.text ?? '', JSON.stringify(message.blocks ?? [])].join('\n');
  }

  /** Stops listening and destroys every open connection, held ones included, without waiting on them. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}

function parse(body: string): ReceivedMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ReceivedMessage) : undefined;
  } catch {
    return undefined;
  }
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(body);
}
