import { Firestore } from '@google-cloud/firestore';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { emulatorEnv, uniqueSuffix } from './emulators.js';
import { TcpProxy } from './tcpProxy.js';

const env = emulatorEnv(uniqueSuffix());

/** Connects to `hostPort`; resolves with the socket once connected, rejects with the connect error. */
function dial(hostPort: string): Promise<Socket> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host!, port: Number(port) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `text` and resolves with what comes back within `ms` ('' when nothing does). */
function exchange(socket: Socket, text: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer) => (received += chunk.toString());
    socket.on('data', onData);
    socket.write(text);
    setTimeout(() => {
      socket.off('data', onData);
      resolve(received);
    }, ms);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('the TCP proxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  const open: Socket[] = [];

  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  });

  beforeEach(async () => {
    proxy = new TcpProxy(`127.0.0.1:${(echo.address() as AddressInfo).port}`);
    await proxy.start();
  });

  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    await proxy.stop();
  });

  afterAll(async () => {
    await new Promise((resolve) => echo.close(resolve));
  });

  async function through(): Promise<Socket> {
    const socket = await dial(proxy.hostPort);
    open.push(socket);
    return socket;
  }

  it('forwards both ways and counts connections', async () => {
    const socket = await through();
    expect(await exchange(socket, 'ping')).toBe('ping');
    expect(proxy.accepted).toBe(1);
    expect(proxy.openConnections).toBe(1);
  });

  it('cut() closes open connections and refuses new ones; restore() forwards again on the same port', async () => {
    const socket = await through();
    const port = proxy.port;
    await proxy.cut();
    await closed(socket);
    await expect(dial(proxy.hostPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.restore();
    expect(proxy.port).toBe(port);
    expect(await exchange(await through(), 'again')).toBe('again');
  });

  it('cut({ mode: "blackhole" }) accepts new connections and never answers them', async () => {
    await proxy.cut({ mode: 'blackhole' });
    const socket = await through();
    expect(await exchange(socket, 'anyone?')).toBe('');
    expect(socket.destroyed).toBe(false);
    await proxy.restore();
    expect(await exchange(await through(), 'back')).toBe('back');
  });

  it('cut({ existing: "freeze" }) keeps open connections open but passes nothing', async () => {
    const socket = await through();
    expect(await exchange(socket, 'before')).toBe('before');
    await proxy.cut({ mode: 'blackhole', existing: 'freeze' });
    expect(await exchange(socket, 'after')).toBe('');
    expect(socket.destroyed).toBe(false);
    expect(proxy.openConnections).toBe(1);
  });

  it('stop() returns at once with held and frozen connections, and closes them', async () => {
    const frozen = await through();
    await proxy.cut({ mode: 'blackhole', existing: 'freeze' });
    const held = await through();
    const started = Date.now();
    await proxy.stop();
    expect(Date.now() - started).toBeLessThan(200);
    await Promise.all([closed(frozen), closed(held)]);
  });
});

describe('a Firestore client through the TCP proxy', () => {
  const proxy = new TcpProxy(env.FIRESTORE_EMULATOR_HOST!);
  let firestore: Firestore;
  let direct: Firestore;

  beforeAll(async () => {
    await proxy.start();
    // FIRESTORE_EMULATOR_HOST, set for every test worker, overrides `host` but not an explicit `port`: pass both.
    firestore = new Firestore({ projectId: env.GOOGLE_CLOUD_PROJECT, host: proxy.hostPort, port: proxy.port, ssl: false, customHeaders: { Authorization: 'Bearer owner' } });
    direct = new Firestore({ projectId: env.GOOGLE_CLOUD_PROJECT, host: env.FIRESTORE_EMULATOR_HOST, ssl: false });
  });

  afterAll(async () => {
    await proxy.stop();
    await Promise.all([firestore.terminate(), direct.terminate()]);
  });

  it('reads and writes through the proxy', async () => {
    const collection = env.BATCH_COLLECTION!;
    await firestore.collection(collection).doc('through').set({ via: 'proxy' });
    expect((await direct.collection(collection).doc('through').get()).data()).toEqual({ via: 'proxy' });
    expect((await firestore.collection(collection).limit(5).get()).size).toBe(1);
    expect(proxy.accepted).toBeGreaterThanOrEqual(1);
  });

  it('after cut() a read fails UNAVAILABLE within a minute instead of hanging', async () => {
    await proxy.cut();
    const started = Date.now();
    await expect(firestore.collection(env.BATCH_COLLECTION!).doc('through').get()).rejects.toMatchObject({ code: 14 });
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
