import type { Firestore } from '@google-cloud/firestore';
import { grpc } from 'google-gax';
import { closedLoopbackPort } from '../test/support/closedLoopbackPort.js';
import { CancellableRequests } from './cancellableRequests.js';
import { createFirestore } from './firestoreClient.js';

// The Firestore library lets FIRESTORE_EMULATOR_HOST in process.env win over its settings; this file
// (Jest gives it a copy of the environment) removes it so each client goes where it is told.
delete process.env.FIRESTORE_EMULATOR_HOST;

const projectId = 'cancellable-requests';
const passThrough = (value: Buffer) => value;

/** A gRPC server on loopback whose Firestore Commit always answers UNAVAILABLE, which the library retries for up to ten minutes. */
async function unavailableFirestore(): Promise<{ host: string; commits: () => number; server: grpc.Server }> {
  let commits = 0;
  const server = new grpc.Server();
  const commit = { path: '/google.firestore.v1.Firestore/Commit', requestStream: false, responseStream: false, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough };
  server.addService({ Commit: commit }, {
    Commit: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
      commits += 1;
      callback({ code: grpc.status.UNAVAILABLE, details: 'try again later' });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { host: `127.0.0.1:${port}`, commits: () => commits, server };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const limit = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > limit) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const settled = (work: Promise<unknown>) => work.then(() => 'answered', (error: { code?: number }) => error.code);

describe('CancellableRequests on a Firestore client', () => {
  let firestore: Firestore | undefined;

  afterEach(async () => {
    await firestore?.terminate();
    firestore = undefined;
  });

  test('a write to a port where nothing listens waits on an open call, ends with CANCELLED as soon as it is cancelled, and the client then terminates at once', async () => {
    const requests = new CancellableRequests();
    firestore = createFirestore({ projectId, firestoreEmulatorHost: `127.0.0.1:${await closedLoopbackPort()}` }, { requests });
    let outcome: unknown = 'waiting';
    const write = settled(firestore.collection('events').doc('a').create({ n: 1 })).then((code) => (outcome = code));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Not between the library's retries of a call that failed at once, which no cancel could reach.
    expect(outcome).toBe('waiting');
    expect(requests.openCalls).toBe(1);

    const cancelled = performance.now();
    requests.cancel('the write timed out');
    await write;
    expect(outcome).toBe(grpc.status.CANCELLED);
    expect(performance.now() - cancelled).toBeLessThan(1_000);
    const terminating = performance.now();
    await firestore.terminate();
    firestore = undefined;
    expect(performance.now() - terminating).toBeLessThan(500);
  });

  test("a retry the library sends after cancel() for a request sent before is cancelled as it starts, and never reaches the server", async () => {
    const unavailable = await unavailableFirestore();
    try {
      const requests = new CancellableRequests();
      firestore = createFirestore({ projectId, firestoreEmulatorHost: unavailable.host }, { requests });
      const write = settled(firestore.collection('events').doc('a').create({ n: 1 }));
      // The library has been answered UNAVAILABLE twice and waits to try again: no call is open.
      await until(() => unavailable.commits() >= 2 && requests.openCalls === 0);
      const commitsBefore = unavailable.commits();

      requests.cancel('the write timed out');
      expect(await write).toBe(grpc.status.CANCELLED);
      expect(unavailable.commits()).toBe(commitsBefore);
    } finally {
      unavailable.server.forceShutdown();
    }
  });

  test('after cancelAll() a request sent for the first time is cancelled too', async () => {
    const requests = new CancellableRequests();
    firestore = createFirestore({ projectId, firestoreEmulatorHost: `127.0.0.1:${await closedLoopbackPort()}` }, { requests });
    requests.cancelAll('the client is closing');
    const started = performance.now();
    expect(await settled(firestore.collection('events').doc('a').create({ n: 1 }))).toBe(grpc.status.CANCELLED);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
