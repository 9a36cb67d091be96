import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { metadataServerAnswers } from './bigQueryClient.js';

// The built program, as an engineer runs it: `npm run build` first.
const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** A loopback server standing in for a metadata server that answers every probe 403, as a proxy does; it counts the probes. */
async function refusingMetadataServer(): Promise<{ host: string; server: Server; probes: () => number }> {
  let probes = 0;
  const server = createServer((_request, response) => {
    probes += 1;
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end('forbidden');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, server, probes: () => probes };
}

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('clients without credentials', () => {
  let home: string;
  let metadata: Awaited<ReturnType<typeof refusingMetadataServer>>;

  beforeAll(async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing; run npm run build before these tests`);
    home = mkdtempSync(join(tmpdir(), 'no-credentials-'));
    metadata = await refusingMetadataServer();
  });

  afterAll(async () => {
    rmSync(home, { recursive: true, force: true });
    await new Promise((resolve) => metadata.server.close(resolve));
  });

  it('analyze-healing says what failed in one line, without the auth library’s MetadataLookupWarning', async () => {
    const { code, stderr } = await run({
      PATH: process.env.PATH ?? '',
      HOME: home,
      GOOGLE_CLOUD_PROJECT: 'no-credentials-project',
      GCE_METADATA_HOST: metadata.host,
    });
    expect(code).toBe(1);
    expect(stderr).not.toContain('MetadataLookupWarning');
    expect(stderr.split('\n').filter((line) => line !== '')).toEqual([expect.stringMatching(/^analyze-healing: .*BigQuery/)]);
  }, 60_000);

  it('reach the Firestore emulator given in their target, with no FIRESTORE_EMULATOR_HOST in the environment, and ask no metadata server', async () => {
    const clients = new URL('../dist/shared/firestoreClient.js', import.meta.url).href;
    const collection = `clients_${uniqueSuffix()}`;
    const script = `const { createFirestore } = await import(${JSON.stringify(clients)});
      const firestore = createFirestore({ projectId: 'no-credentials-project', firestoreEmulatorHost: ${JSON.stringify(emulatorEnv('').FIRESTORE_EMULATOR_HOST)} });
      await firestore.collection('${collection}').doc('written').set({ by: 'createFirestore' });
      console.log(JSON.stringify((await firestore.collection('${collection}').doc('written').get()).data()));
      await firestore.terminate();`;
    const before = metadata.probes();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', HOME: home, GCE_METADATA_HOST: metadata.host },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result).toMatchObject({ status: 0, stdout: '{"by":"createFirestore"}\n', stderr: '' });
    expect(metadata.probes()).toBe(before);
  }, 40_000);

  it('takes a metadata server that answers 403, or none at all, as "not on Google Cloud"', async () => {
    expect(await metadataServerAnswers(1000, metadata.host)).toBe(false);
    expect(await metadataServerAnswers(1000, '127.0.0.1:9')).toBe(false);
  });

  it('takes a metadata server that answers as Google does as "on Google Cloud"', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'metadata-flavor': 'Google' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(await metadataServerAnswers(1000, `127.0.0.1:${(server.address() as AddressInfo).port}`)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('createBigQuery', () => {
  it('follows the validated configuration, not BIGQUERY_EMULATOR_HOST left in the process environment', () => {
    const clients = new URL('../dist/shared/bigQueryClient.js', import.meta.url).href;
    const script = `const { createBigQuery } = await import(${JSON.stringify(clients)});
      console.log(createBigQuery({ projectId: 'p', bigqueryEmulatorHost: undefined }).baseUrl);
      console.log(createBigQuery({ projectId: 'p', bigqueryEmulatorHost: 'http://127.0.0.1:9050' }).baseUrl);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:1' },
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('https://bigquery.googleapis.com/bigquery/v2\nhttp://127.0.0.1:9050/bigquery/v2\n');
  });
});
