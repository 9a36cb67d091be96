import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorEnv, uniqueSuffix } from './emulators.js';
import { JobProcess, runJob } from './jobProcess.js';

const isSummary = (line: Record<string, unknown>) => line.message === 'run summary';

describe('the built job as a child process', () => {
  it('runs --help: exit 0, the usage as raw text lines', async () => {
    const result = await runJob({ env: {}, args: ['--help'] });
    expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(result.lines).toEqual(expect.arrayContaining([expect.stringContaining('--max-heals')]));
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('runs against the emulators with nothing to heal: a run summary line, exit 0', async () => {
    const job = await JobProcess.start({ env: emulatorEnv(uniqueSuffix()) });
    const summary = await job.waitForLine(isSummary, 60_000);
    expect(summary).toMatchObject({ severity: 'INFO', found: 0, healed: 0 });
    const result = await job.result();
    expect(result.code).toBe(0);
    expect(result.lines).toContainEqual(summary);
    expect(job.jsonLines().every((line) => typeof line.severity === 'string')).toBe(true);
  }, 90_000);

  it('rejects waitForLine, showing the output, when the process ends without the line', async () => {
    const job = await JobProcess.start({ env: {}, args: ['--bogus'] });
    await expect(job.waitForLine(isSummary, 30_000)).rejects.toThrow(/ended \(exit code 2\) without a matching line[\s\S]*--bogus/);
    expect(await job.result()).toMatchObject({ code: 2 });
  });
});

describe('controlling a child process', () => {
  let dir: string;
  let forever: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'job-process-'));
    forever = join(dir, 'forever.mjs');
    writeFileSync(
      forever,
      [
        `process.on('SIGTERM', () => { console.log(JSON.stringify({ severity: 'INFO', message: 'run summary' })); process.exit(1); });`,
        `console.log(JSON.stringify({ severity: 'INFO', message: 'started' }));`,
        `console.log('plain text');`,
        `console.error('to stderr');`,
        `setInterval(() => undefined, 1000);`,
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('kills a process that outlives its hard timeout', async () => {
    const job = await JobProcess.start({ env: {}, bin: forever, timeoutMs: 1000 });
    const result = await job.result();
    expect(result).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true, stderr: 'to stderr\n' });
    expect(result.lines).toEqual([{ severity: 'INFO', message: 'started' }, 'plain text']);
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
  });

  it('sends a signal the process handles, then reports its exit', async () => {
    const job = await JobProcess.start({ env: {}, bin: forever });
    await job.waitForLine((line) => line.message === 'started', 10_000);
    expect(job.kill('SIGTERM')).toBe(true);
    await job.waitForLine(isSummary, 10_000);
    expect(await job.result()).toMatchObject({ code: 1, signal: null, timedOut: false });
    expect(job.kill()).toBe(false);
  });

  it('rejects waitForLine after its own timeout while the process keeps running', async () => {
    const job = await JobProcess.start({ env: {}, bin: forever });
    await expect(job.waitForLine(isSummary, 300)).rejects.toThrow(/no matching line within 300 ms[\s\S]*started/);
    job.kill('SIGKILL');
    expect(await job.result()).toMatchObject({ signal: 'SIGKILL', timedOut: false });
  });
});
