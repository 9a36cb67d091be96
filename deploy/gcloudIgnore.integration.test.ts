import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './test-support/deployScript.js';
import { dockerignore } from './test-support/dockerignore.js';

// The image step runs `gcloud builds submit .`, which uploads what .gcloudignore lets through; Cloud
// Build's docker build then has only those files. gcloud itself lists them, without an account
// (`gcloud meta list-files-for-upload`), so the list here is the one the deploy uploads.

const config = mkdtempSync(join(tmpdir(), 'gcloudignore-'));
afterAll(() => rmSync(config, { recursive: true, force: true }));

function uploadedFiles(): string[] {
  const result = spawnSync('gcloud', ['meta', 'list-files-for-upload', '.'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: config, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error || result.status !== 0) throw new Error(`gcloud meta list-files-for-upload did not run: ${result.error?.message ?? result.stderr}`);
  return result.stdout.split('\n').filter(Boolean).sort();
}

/** What the Dockerfile's COPY instructions take from the build context (not from another stage). */
const copySources = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
  .split('\n')
  .filter((line) => /^COPY\s/.test(line) && !/\s--from=/.test(line))
  .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));

function filesOnDisk(path: string): string[] {
  if (!statSync(join(repoRoot, path)).isDirectory()) return [path];
  return readdirSync(join(repoRoot, path)).flatMap((name) => filesOnDisk(`${path}/${name}`));
}

const ignoredByDocker = dockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));

describe('.gcloudignore: what gcloud builds submit uploads', () => {
  let uploaded: string[];
  beforeAll(() => {
    uploaded = uploadedFiles();
  }, 60_000);

  test('every file the Dockerfile copies from the build context is uploaded, with the Dockerfile and .dockerignore', () => {
    expect(copySources).toEqual(expect.arrayContaining(['package.json', 'shared', 'deploy/image-entrypoint.sh']));
    const needed = copySources.flatMap((source) => filesOnDisk(source.replace(/\/+$/, ''))).filter((file) => !ignoredByDocker(file));
    expect(needed.filter((file) => !uploaded.includes(file))).toEqual([]);
    expect(uploaded).toEqual(expect.arrayContaining(['Dockerfile', '.dockerignore']));
  });

  test('nothing else is uploaded: no dependencies, build output, git data, local data, tests or test output', () => {
    const inContext = (file: string) =>
      ['Dockerfile', '.dockerignore'].includes(file) || copySources.some((source) => file === source || file.startsWith(`${source.replace(/\/+$/, '')}/`));
    expect(uploaded.filter((file) => !inContext(file))).toEqual([]);
    expect(uploaded.filter((file) => /(^|\/)(node_modules|dist|\.git|\.local|coverage|test)\/|\.(test|bench)\.ts$/.test(file))).toEqual([]);
    expect(uploaded.filter((file) => file.startsWith('deploy/'))).toEqual(['deploy/image-entrypoint.sh']);
  });
});
