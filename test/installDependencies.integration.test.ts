import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// scripts/install-dependencies.sh in a folder of its own, with a stand-in npm on PATH that prints
// what npm prints on a system Node older than 22 and installs a few packages.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const engineBlock = (pkg: string, required: string) =>
  [
    'npm warn EBADENGINE Unsupported engine {',
    `npm warn EBADENGINE   package: '${pkg}',`,
    `npm warn EBADENGINE   required: ${required},`,
    "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
    'npm warn EBADENGINE }',
  ].join('\n');

const NPM_STDERR = [
  ...Array.from({ length: 18 }, (_, index) => engineBlock(`pkg${index}@1.0.0`, "{ node: '>=22.12.0' }")),
  engineBlock('needs-npm@1.0.0', "{ npm: '>=12' }"),
  'npm warn deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported',
].join('\n');

const STAND_IN_NPM = `#!/usr/bin/env bash
cat "$STAND_IN/stderr.txt" >&2
mkdir -p node_modules/.bin node_modules/too-new
ln -s "$STAND_IN/node" node_modules/.bin/node
ln -s "$STAND_IN/semver" node_modules/semver
echo '{"name":"too-new","version":"2.0.0","engines":{"node":">=24"}}' > node_modules/too-new/package.json
echo "added 3 packages in 1s"
exit "\${STAND_IN_STATUS:-0}"
`;

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'install-deps-'));
  const standIn = join(work, 'stand-in');
  mkdirSync(join(work, 'project', 'scripts'), { recursive: true });
  mkdirSync(join(standIn, 'bin'), { recursive: true });
  copyFileSync(join(repoRoot, 'scripts', 'install-dependencies.sh'), join(work, 'project', 'scripts', 'install-dependencies.sh'));
  writeFileSync(join(work, 'project', 'package.json'), '{"name":"copy","version":"1.0.0"}');
  writeFileSync(join(standIn, 'stderr.txt'), `${NPM_STDERR}\n`);
  writeFileSync(join(standIn, 'bin', 'npm'), STAND_IN_NPM);
  chmodSync(join(standIn, 'bin', 'npm'), 0o755);
  symlinkSync(join(repoRoot, 'node_modules', '.bin', 'node'), join(standIn, 'node'));
  symlinkSync(join(repoRoot, 'node_modules', 'semver'), join(standIn, 'semver'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function install(status = 0) {
  const standIn = join(work, 'stand-in');
  return spawnSync('bash', ['scripts/install-dependencies.sh'], {
    cwd: join(work, 'project'),
    encoding: 'utf8',
    env: { PATH: `${join(standIn, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: work, STAND_IN: standIn, STAND_IN_STATUS: String(status) },
  });
}

describe('install-dependencies.sh', () => {
  it('says the Node engine warnings once in one line and keeps every other warning', () => {
    const { status, stdout, stderr } = install();
    expect(status).toBe(0);
    expect(stdout).toBe('added 3 packages in 1s\n');
    const lines = stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.includes("required: { node: '>=22.12.0' }"))).toEqual([]);
    expect(stderr).toContain(engineBlock('needs-npm@1.0.0', "{ npm: '>=12' }"));
    expect(stderr).toContain('npm warn deprecated glob@7.2.3');
    expect(lines.filter((line) => line.startsWith('npm warned that'))).toEqual([
      expect.stringMatching(/^npm warned that 18 packages want a newer Node than the one npm runs on; the project brings its own Node v22\.\d+\.\d+, which is checked instead$/),
    ]);
    expect(lines.at(-1)).toMatch(/^npm warn EBADENGINE too-new@2\.0\.0 wants Node >=24; the project runs Node v22\./);
    expect(lines).toHaveLength(5 + 1 + 1 + 1);
  });

  it("keeps npm's exit status and its output when the install fails", () => {
    const { status, stderr } = install(7);
    expect(status).toBe(7);
    expect(stderr).toContain('npm warn deprecated glob@7.2.3');
    expect(stderr).not.toContain('npm ran on the system');
  });
});
