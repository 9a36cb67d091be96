import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './test-support/deployScript.js';

// The README's runbook for the operator commands as Cloud Run executions, pasted into bash as an
// operator would, run by the real gcloud with an empty configuration: a right command stops at "no
// active account", a flag gcloud does not know fails here, not in front of an operator.

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const home = mkdtempSync(join(tmpdir(), 'runbook-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The gcloud commands of the bash block that follows `heading` in the README, continuation lines joined. */
function commandsAfter(heading: string): string[] {
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.startsWith('gcloud '));
}

const commands = [...commandsAfter('**As a one-off Cloud Run execution**'), ...(/`(gcloud beta run jobs logs read[^`]*)`/.exec(readme.replace(/\n\s*/g, ' '))?.slice(1) ?? [])];

test('the runbook shows the commands to execute the job with arguments and read what they printed', () => {
  expect(commands.length).toBeGreaterThanOrEqual(5);
  expect(commands.some((command) => command.includes("--args='pause,--reason="))).toBe(true);
});

test.each(commands)('gcloud accepts %s', (command) => {
  const result = spawnSync('bash', ['-c', command], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CLOUDSDK_CONFIG: join(home, 'gcloud'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false', CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stderr).toMatch(/You do not currently have an active account selected/);
}, 70_000);
