import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** How the stand-in answers: pass everything to the emulator, never answer, or answer 503. */
export type BigQueryStandInMode = 'forward' | 'hang' | 'fail';

export interface BigQueryStandInOptions {
  /** The BigQuery emulator requests are forwarded to; default BIGQUERY_EMULATOR_HOST or http://127.0.0.1:9050. */
  target?: string;
  /** Initial mode; default `'forward'`. */
  mode?: BigQueryStandInMode;
  /** How long a forwarded insertAll is held before it goes on to the emulator; default 0. */
  insertDelayMs?: number;
  /** How long the answer to a forwarded insertAll is held after the emulator took the rows; default 0. */
  answerDelayMs?: number | (() => number);
  /** Message of the 503 error body in `'fail'` mode; default "The service is currently unavailable.". */
  failMessage?: string;
  /** Largest insertAll body taken, in bytes; a larger one is refused as BigQuery does. Default 10,485,760 (10 MB). */
  maxInsertBytes?: number;
}

/** BigQuery's limit on an insertAll request. */
export const BIGQUERY_INSERT_LIMIT_BYTES = 10 * 1024 * 1024;

/** One insertAll request as it arrived, whatever the stand-in then did with it. */
export interface ReceivedInsert {
  /** `datasets/<dataset>/tables/<table>` from the request path. */
  table: string;
  /** The rows' insertIds in request order (rows without one are left out). */
  insertIds: string[];
  /** The mode the request was answered in. */
  mode: BigQueryStandInMode;
  /** Size of the request body. */
  bytes: number;
  /** Refused as over `maxInsertBytes`, with nothing written. */
  tooLarge?: true;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const INSERT_ALL_PATH = /\/(datasets\/[^/]+\/tables\/[^/]+)\/insertAll$/;

/**
 * A real HTTP server on loopback in front of the BigQuery emulator, used as the job's
 * BIGQUERY_EMULATOR_HOST, that can forward, hang (a brownout), fail with 503, or hold inserts.
 */
export class BigQueryStandIn {
  /** What the next request gets; may be changed at any time (a request keeps the mode it arrived in). */
  mode: BigQueryStandInMode;
  /** How long a forwarded `POST .../tables/*\/insertAll` is held before it is forwarded; 0 forwards at once. */
  insertDelayMs: number;
  /**
   * How long the answer to a forwarded insertAll is held after the emulator took the rows (a fixed
   * time, or a function drawn per request): BigQuery answering late, the rows already in.
   */
  answerDelayMs: number | (() => number);
  /** The next this many forwarded insertAll requests go in, and then the connection is cut before the answer. */
  cutAfterForward = 0;
  /** Largest insertAll body taken; a larger one gets BigQuery's 400 "Request payload size exceeds the limit". */
  maxInsertBytes: number;
  /** Rows with these insert ids are refused as invalid, the way BigQuery refuses a bad row (the others go in). */
  readonly refuseInsertIds = new Set<string>();
  /** Requests received, by kind, in every mode. */
  readonly counts = { insertAll: 0, other: 0 };
  /** Every insertAll request received, in arrival order. */
  readonly inserts: ReceivedInsert[] = [];

  private readonly target: URL;
  private readonly failMessage: string;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly insertListeners = new Set<() => void>();
  /** Inserts held or being forwarded that the emulator has not taken yet. */
  private landing = 0;
  private readonly idleListeners = new Set<() => void>();
  private server: Server | undefined;
  private baseUrl: string | undefined;

  constructor(options: BigQueryStandInOptions = {}) {
    this.target = new URL(options.target ?? process.env.BIGQUERY_EMULATOR_HOST ?? 'http://127.0.0.1:9050');
    this.mode = options.mode ?? 'forward';
    this.insertDelayMs = options.insertDelayMs ?? 0;
    this.answerDelayMs = options.answerDelayMs ?? 0;
    this.failMessage = options.failMessage ?? 'The service is currently unavailable.';
    this.maxInsertBytes = options.maxInsertBytes ?? BIGQUERY_INSERT_LIMIT_BYTES;
  }

  /** Listens on a free loopback port and returns the base URL to use as apiEndpoint or BIGQUERY_EMULATOR_HOST. */
  async start(): Promise<string> {
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** The base URL `start()` returned. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the BigQuery stand-in has not been started');
    return this.baseUrl;
  }

  /** The insertIds of every insertAll received, flattened in arrival order. */
  insertIds(): string[] {
    return this.inserts.flatMap((insert) => insert.insertIds);
  }

  /** Resolves once `count` insertAll requests have arrived in all (held ones included); rejects after `timeoutMs`. */
  waitForInserts(count = 1, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.inserts.length < count) return;
        clearTimeout(timer);
        this.insertListeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.insertListeners.delete(check);
        reject(new Error(`${this.inserts.length} of ${count} insertAll requests arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.insertListeners.add(check);
      check();
    });
  }

  /** Resolves once no insert is held or on its way to the emulator: every row sent so far has landed or been dropped. */
  idle(): Promise<void> {
    if (this.landing === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.landing > 0) return;
        this.idleListeners.delete(check);
        resolve();
      };
      this.idleListeners.add(check);
    });
  }

  /** Forgets counts and received inserts. */
  reset(): void {
    this.counts.insertAll = 0;
    this.counts.other = 0;
    this.inserts.length = 0;
  }

  /** Closes the server at once: open sockets (hanging ones included) are destroyed, held inserts dropped. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.landed(this.landing);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    server.closeAllConnections();
    this.agent.destroy();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const mode = this.mode;
    const path = (request.url ?? '/').split('?')[0]!;
    const insertTable = request.method === 'POST' ? INSERT_ALL_PATH.exec(path)?.[1] : undefined;
    if (insertTable === undefined) {
      this.counts.other += 1;
      if (mode === 'forward') this.forward(request, response, request);
      else this.answerWithoutForwarding(request, response, mode);
      return;
    }
    this.counts.insertAll += 1;
    void readBody(request).then(
      (body) => {
        const received: ReceivedInsert = { table: insertTable, insertIds: insertIdsOf(body, request.headers['content-encoding']), mode, bytes: body.length };
        this.inserts.push(received);
        for (const listener of this.insertListeners) listener();
        if (mode !== 'forward') return this.answerWithoutForwarding(request, response, mode);
        if (body.length > this.maxInsertBytes) {
          received.tooLarge = true;
          const message = `Request payload size exceeds the limit: ${this.maxInsertBytes} bytes.`;
          return sendJson(response, 400, { error: { code: 400, message, status: 'INVALID_ARGUMENT', errors: [{ message, domain: 'global', reason: 'badRequest' }] } });
        }
        if (this.refuseInsertIds.size > 0) return void this.forwardRefusing(request, response, body);
        const answerDelay = typeof this.answerDelayMs === 'function' ? this.answerDelayMs() : this.answerDelayMs;
        const cut = this.cutAfterForward > 0;
        if (cut) this.cutAfterForward -= 1;
        this.landing += 1;
        const go = () => (answerDelay > 0 || cut ? void this.forwardThenAnswer(request, response, body, answerDelay, cut) : this.forward(request, response, body, once(() => this.landed())));
        if (this.insertDelayMs <= 0) return go();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          go();
        }, this.insertDelayMs);
        this.timers.add(timer);
      },
      () => response.destroy(),
    );
  }

  /** Lands the insert in the emulator, then answers after `delayMs`, or cuts the connection instead of answering. */
  private async forwardThenAnswer(request: IncomingMessage, response: ServerResponse, body: Buffer, delayMs: number, cut: boolean): Promise<void> {
    let status: number;
    let text: string;
    try {
      const upstream = await fetch(new URL(request.url ?? '/', this.target), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      [status, text] = [upstream.status, await upstream.text()];
    } catch (error) {
      [status, text] = [502, JSON.stringify({ error: { code: 502, message: `BigQuery stand-in could not reach ${this.target.origin}: ${(error as Error).message}`, status: 'UNAVAILABLE' } })];
    } finally {
      this.landed();
    }
    if (cut) return void response.socket?.destroy();
    const answer = () => {
      if (response.destroyed || response.writableEnded) return;
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    if (delayMs <= 0) return answer();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      answer();
    }, delayMs);
    this.timers.add(timer);
  }

  private landed(count = 1): void {
    this.landing = Math.max(0, this.landing - count);
    if (this.landing === 0) for (const listener of [...this.idleListeners]) listener();
  }

  /** Forwards the rows not refused, and answers with an `invalid` insert error for each refused one. */
  private async forwardRefusing(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    const parsed = JSON.parse((request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')) as { rows?: Array<{ insertId?: string }> };
    const rows = parsed.rows ?? [];
    const refused = rows.flatMap((row, index) => (row.insertId !== undefined && this.refuseInsertIds.has(row.insertId) ? [index] : []));
    const kept = rows.filter((_, index) => !refused.includes(index));
    if (kept.length > 0) {
      const upstream = await fetch(new URL(request.url ?? '/', this.target), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...parsed, rows: kept }) });
      await upstream.text();
    }
    const insertErrors = refused.map((index) => ({ index, errors: [{ reason: 'invalid', location: 'metadata', message: 'no such field: refused_by_stand_in.' }] }));
    sendJson(response, 200, { kind: 'bigquery#tableDataInsertAllResponse', ...(insertErrors.length > 0 ? { insertErrors } : {}) });
  }

  private answerWithoutForwarding(request: IncomingMessage, response: ServerResponse, mode: 'hang' | 'fail'): void {
    // Read the body either way so a client waiting to finish its upload reaches the wait for an answer.
    request.resume();
    if (mode === 'hang') return;
    sendJson(response, 503, { error: { code: 503, message: this.failMessage, status: 'UNAVAILABLE', errors: [{ message: this.failMessage, domain: 'global', reason: 'backendError' }] } });
  }

  private forward(request: IncomingMessage, response: ServerResponse, body: IncomingMessage | Buffer, onAnswered: () => void = () => undefined): void {
    const headers = { ...request.headers, host: this.target.host };
    const upstream = httpRequest(
      { protocol: this.target.protocol, hostname: this.target.hostname, port: this.target.port, method: request.method, path: request.url, headers, agent: this.agent },
      (answer) => {
        onAnswered();
        const forwarded: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) forwarded[name] = value;
        }
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwarded);
        answer.pipe(response);
        answer.on('error', () => response.destroy());
      },
    );
    upstream.on('error', (error) => {
      onAnswered();
      if (response.headersSent) response.destroy();
      else sendJson(response, 502, { error: { code: 502, message: `BigQuery stand-in could not reach ${this.target.origin}: ${error.message}`, status: 'UNAVAILABLE' } });
    });
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    if (Buffer.isBuffer(body)) upstream.end(body);
    else body.pipe(upstream);
  }
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (!done) action();
    done = true;
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function insertIdsOf(body: Buffer, encoding: string | undefined): string[] {
  try {
    const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    const parsed = JSON.parse(text) as { rows?: Array<{ insertId?: unknown }> };
    return (parsed.rows ?? []).flatMap((row) => (typeof row.insertId === 'string' ? [row.insertId] : []));
  } catch {
    return [];
  }
}
