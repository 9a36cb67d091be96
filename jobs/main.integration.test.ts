import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packageJson from '../package.json' with { type: 'json' };
import { createFirestore } from '../shared/firestoreClient.js';
import { loadJobConfig } from '../shared/config.js';
import { seedBatches } from '../test/support/batches.js';
import { emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { jsonLines } from '../test/support/jobProgram.js';

// The built executable, as package.json's bin and the image run it: `npm run build` first.
const bin = fileURLToPath(new URL('../dist/jobs/main.js', import.meta.url));
const holdProgramLoad = fileURLToPath(new URL('../test/support/holdProgramLoad.mjs', import.meta.url));

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; run npm run build before these tests`);
});

describe('the auto-batch-cleanup executable', () => {
  it("exits with the program's exit code, writing to its own stdout and stderr", () => {
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', GOOGLE_CLOUD_PROJECT: 'p' }, encoding: 'utf8', timeout: 30_000 });
    expect(run(['--version'])).toMatchObject({ status: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    expect(run(['--max-heals', '0'])).toMatchObject({ status: 2, stdout: '', stderr: `auto-batch-cleanup: option '--max-heals <n>' argument '0' is invalid. --max-heals must be a positive whole number, got "0"\n` });
  });

  it('takes a SIGTERM that comes while the program is still loading: it heals none, logs its summary and exits 1', async () => {
    const env = emulatorEnv(uniqueSuffix());
    const firestore = createFirestore(loadJobConfig(env));
    await seedBatches(firestore, env.BATCH_COLLECTION!, [{ id: 'waiting', completed: 19, expected: 20, stalledMinutes: 30 }], new Date());
    await firestore.terminate();

    // The preload holds the load of jobs/program.js (what takes most of the first second) until the SIGTERM is sent.
    const child = spawn(process.execPath, ['--import', holdProgramLoad, bin], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('loading jobs/program.js\n')) resolve();
      });
    });
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.stdin.end('go');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const { code, signal } = await ended;
    clearTimeout(killer);

    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(jsonLines(stdout).find((line) => line.message === 'run summary')).toMatchObject({ severity: 'ERROR', stopped: true, healed: 0, not_started: 1, exit_code: 1 });
    expect(stderr.trim().split('\n')).toEqual(['loading jobs/program.js', 'auto-batch-cleanup: stopped by SIGTERM after 0 heal(s); 1 batch(es) left for the next run']);
  }, 90_000);
});
