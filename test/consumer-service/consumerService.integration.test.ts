import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Firestore } from '@google-cloud/firestore';
import { closedLoopbackPort } from '../support/closedLoopbackPort.js';
import { TcpProxy } from '../support/tcpProxy.js';

/**
 * A separate package (this folder) depends on the project by path and imports
 * 'auto-batch-cleanup/healing', as a pipeline service would: type-checked with the project's tsc
 * (moduleResolution nodenext) and run with the project's Node 22. Needs `npm run build` first.
 */
const serviceDir = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8686';
const projectId = process.env.GOOGLE_CLOUD_PROJECT ?? 'local-healing';
const CLOSE_TIMEOUT_MS = 1_500;
/** How long Node may take to end the process once close() has answered: nothing of the recorder is left, so only its own shutdown. */
const EXIT_AFTER_CLOSE_MS = 2_000;

interface Summary {
  closed: { written: number; unwritten: number; dropped: number };
  close_ms: number;
  close_started_at: number;
  execute_ms: number[];
  values: number;
  breaker_refused: number;
}

interface Run {
  summary: Summary;
  logs: Array<Record<string, unknown>>;
  stderr: string;
  /** From the service calling close() to its process ending by itself. */
  closeToExitMs: number;
  exitCode: number | null;
}

/** What `npm install` does for a path dependency, offline: a link in the service's node_modules. */
function linkProject(): void {
  if (!existsSync(`${root}dist/shared/healing/index.js`) || !existsSync(`${root}dist/shared/healing/index.d.ts`)) {
    throw new Error('dist/shared/healing is missing: run `npm run build` first');
  }
  rmSync(`${serviceDir}node_modules`, { recursive: true, force: true });
  mkdirSync(`${serviceDir}node_modules`);
  symlinkSync('../../..', `${serviceDir}node_modules/auto-batch-cleanup`, 'dir');
}

/** Runs the service to its end; one that does not end by itself within 30 s is killed (exit code null). */
function runService(mode: 'healthy' | 'down', env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [`${serviceDir}.build/service.mjs`, mode], {
    env: { PATH: process.env.PATH ?? '', GOOGLE_CLOUD_PROJECT: projectId, CLOSE_TIMEOUT_MS: String(CLOSE_TIMEOUT_MS), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let exitedAt = 0;
  child.on('exit', () => (exitedAt = Date.now()));
  return new Promise((resolve, reject) => {
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const summary = lines.find((line) => 'summary' in line)?.summary as Summary | undefined;
      if (!summary) return reject(new Error(`service printed no summary (exit ${exitCode}):\n${stdout}\n${stderr}`));
      resolve({ summary, logs: lines.filter((line) => 'severity' in line), stderr, closeToExitMs: exitedAt - summary.close_started_at, exitCode });
    });
  });
}

beforeAll(() => {
  linkProject();
  execFileSync(`${root}node_modules/.bin/tsc`, ['-p', `${serviceDir}tsconfig.json`], { cwd: root, stdio: 'pipe' });
}, 60_000);

describe('a service that installs the project and imports auto-batch-cleanup/healing', () => {
  test('type-checks, runs, and its retry, fallback and circuit breaker heals land in Firestore as pending events', async () => {
    const collection = `consumer_events_${Date.now().toString(36)}`;
    // A metadata server that refuses, as a proxy outside Google Cloud does: a client that asked it would print a MetadataLookupWarning.
    const metadata = http.createServer((_request, response) => response.writeHead(403).end('forbidden'));
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const run = await runService('healthy', {
      FIRESTORE_EMULATOR_HOST: emulatorHost,
      HEALING_COLLECTION: collection,
      GCE_METADATA_HOST: `127.0.0.1:${(metadata.address() as net.AddressInfo).port}`,
    }).finally(() => metadata.close());
    expectEndedByItself(run);
    expect(run.stderr).toBe('');
    expect(run.summary).toMatchObject({ closed: { written: 6, unwritten: 0, dropped: 0 }, values: 6, breaker_refused: 1 });

    const reader = new Firestore({ projectId, host: emulatorHost, ssl: false });
    try {
      const snapshot = await reader.collection(collection).get();
      const events = snapshot.docs.map((doc) => doc.data());
      const byType = (type: string) => events.filter((event) => event.healing_type === type);
      expect(events).toHaveLength(6);
      expect(events.every((event) => event.bigquery_exported === false)).toBe(true);
      expect(byType('retry').map((event) => [event.success, event.root_cause])).toEqual([[true, 'ECONNRESET'], [true, 'ECONNRESET'], [true, 'ECONNRESET']]);
      expect(byType('fallback').map((event) => [event.success, event.root_cause])).toEqual([[true, 'HTTP 503'], [true, 'HTTP 503']]);
      expect(byType('circuit_breaker_reset').map((event) => [event.success, event.root_cause])).toEqual([[true, 'ECONNRESET']]);
    } finally {
      await reader.terminate();
    }
  });

  test('with nothing listening where Firestore should be, its calls return on time, close() reports the unwritten events within its deadline and the process ends by itself', async () => {
    const port = await closedLoopbackPort();
    const run = await runService('down', { FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}`, HEALING_COLLECTION: 'consumer_down', REQUESTS: '5', WRITE_TIMEOUT_MS: '300' });
    expectOutageHandled(run);
    // Each failed write is logged and tried again with a longer wait.
    const failedWrites = run.logs.filter((line) => line.severity === 'WARNING' && /^could not write \d+ healing event\(s\) to Firestore/.test(String(line.message)));
    expect(failedWrites.length).toBeGreaterThanOrEqual(2);
    expect(failedWrites.slice(0, 2).map((line) => line.attempt)).toEqual([1, 2]);
  });

  test('with Firestore accepting connections and never answering, its calls return on time, close() reports the unwritten events within its deadline and the process ends by itself', async () => {
    const silent = new TcpProxy(emulatorHost);
    const host = await silent.start();
    await silent.cut({ mode: 'blackhole' });
    try {
      const run = await runService('down', { FIRESTORE_EMULATOR_HOST: host, HEALING_COLLECTION: 'consumer_down', REQUESTS: '5', WRITE_TIMEOUT_MS: '10000' });
      expect(silent.accepted).toBeGreaterThan(0);
      expectOutageHandled(run);
    } finally {
      await silent.stop();
    }
  });
});

/** The service's process ended by itself, without process.exit, soon after close() answered. */
function expectEndedByItself(run: Run): void {
  expect(run.closeToExitMs).toBeLessThan(run.summary.close_ms + EXIT_AFTER_CLOSE_MS);
  expect(run.exitCode).toBe(0);
}

function expectOutageHandled(run: Run): void {
  expectEndedByItself(run);
  expect(run.summary.closed).toEqual({ written: 0, unwritten: 5, dropped: 0 });
  // Each call needed one retry of at most 20 ms; none waited on Firestore (a write waits up to 10 s).
  expect(run.summary.execute_ms).toHaveLength(5);
  for (const ms of run.summary.execute_ms) expect(ms).toBeLessThan(1_000);
  expect(run.summary.close_ms).toBeGreaterThanOrEqual(CLOSE_TIMEOUT_MS - 50);
  expect(run.summary.close_ms).toBeLessThan(CLOSE_TIMEOUT_MS + 250);
  const unwritten = run.logs.find((line) => line.severity === 'ERROR' && line.unwritten === 5);
  expect(unwritten?.message).toMatch(/^5 healing event\(s\) could not be written to Firestore before the 1500 ms close deadline/);
}
