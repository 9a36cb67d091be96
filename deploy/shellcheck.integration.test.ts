import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './test-support/deployScript.js';

const SKIPPED = new Set(['node_modules', '.git', '.local', 'dist', 'coverage']);

function shellScripts(dir: string, prefix = ''): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix + entry.name;
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : shellScripts(join(dir, entry.name), `${path}/`);
    return entry.name.endsWith('.sh') ? [path] : [];
  });
}

test('shellcheck passes on every shell script in the repository', () => {
  const scripts = shellScripts('.');
  expect(scripts).toEqual(
    expect.arrayContaining(['deploy/deploy.sh', 'deploy/image-entrypoint.sh', 'scripts/local-stack.sh', 'scripts/test.sh']),
  );

  const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], { cwd: repoRoot, encoding: 'utf8' });
  if (result.error) throw new Error(`shellcheck did not run (${result.error.message}); scripts/test.sh installs it from Debian's packages`);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
});
