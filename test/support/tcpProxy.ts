import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CutOptions {
  /**
   * What a new connection meets while cut: `'refuse'` closes the listening port, so connecting fails
   * at once (ECONNREFUSED); `'blackhole'` accepts and then never forwards nor answers. Default `'refuse'`.
   */
  mode?: 'refuse' | 'blackhole';
  /**
   * What happens to the connections open at the cut: `'destroy'` closes them (the peer sees a reset),
   * `'freeze'` keeps them open but passes nothing either way any more, like a network partition. Default `'destroy'`.
   */
  existing?: 'destroy' | 'freeze';
}

/** A TCP proxy on loopback to one target (the Firestore emulator's gRPC port, say) that can be cut and restored. */
export class TcpProxy {
  /** Connections accepted since start, forwarded or not. */
  accepted = 0;

  private readonly targetHost: string;
  private readonly targetPort: number;
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private server: Server | undefined;
  private listeningPort: number | undefined;
  private state: 'open' | 'refuse' | 'blackhole' = 'open';

  /** `target` is `host:port`, e.g. the value of FIRESTORE_EMULATOR_HOST. */
  constructor(target: string) {
    const url = new URL(`tcp://${target}`);
    this.targetHost = url.hostname.replace(/^\[|\]$/g, '');
    this.targetPort = Number(url.port);
  }

  /** Listens on a free loopback port and returns `127.0.0.1:<port>`. */
  async start(): Promise<string> {
    await this.listen(0);
    return this.hostPort;
  }

  get port(): number {
    if (this.listeningPort === undefined) throw new Error('the TCP proxy has not been started');
    return this.listeningPort;
  }

  /** `127.0.0.1:<port>`, the form FIRESTORE_EMULATOR_HOST takes. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Client connections open now: forwarded, held by a black hole, or frozen. */
  get openConnections(): number {
    return this.clients.size;
  }

  /** Ends service: open connections are destroyed (or frozen) and new ones refused or black-holed until `restore()`. */
  async cut(options: CutOptions = {}): Promise<void> {
    const mode = options.mode ?? 'refuse';
    this.state = mode;
    for (const socket of this.sockets) {
      if (options.existing === 'freeze') freeze(socket);
      else socket.destroy();
    }
    if (mode === 'refuse') await this.closeListener();
  }

  /** Forwards new connections again, on the same port. Frozen connections stay frozen. */
  async restore(): Promise<void> {
    const wasRefusing = this.state === 'refuse';
    this.state = 'open';
    if (wasRefusing && this.listeningPort !== undefined) await this.listen(this.listeningPort);
  }

  /** Destroys every connection, held and frozen ones included, and stops listening. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await this.closeListener();
  }

  private track(socket: Socket, clientSide: boolean): void {
    this.sockets.add(socket);
    if (clientSide) this.clients.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.clients.delete(socket);
    });
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    this.track(client, true);
    if (this.state !== 'open') {
      client.pause();
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    this.track(upstream, false);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listeningPort = (server.address() as AddressInfo).port;
  }

  /** Stops listening without waiting for frozen connections, which would keep a server's 'close' away for ever. */
  private async closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.close();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function freeze(socket: Socket): void {
  socket.unpipe();
  socket.pause();
}
