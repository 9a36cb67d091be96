import { createServer } from 'node:net';

/** For tests: a loopback port nothing listens on (fetch refuses ports such as 1 and 9 as unsafe before connecting). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
