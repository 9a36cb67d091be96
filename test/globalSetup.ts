import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/local-stack.sh', import.meta.url));

/** Starts (or reuses) the local emulators and points every test worker at them. */
export default async function globalSetup(): Promise<void> {
  execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exports = execFileSync('bash', [script, 'env'], { encoding: 'utf8' });
  for (const line of exports.split('\n')) {
    const match = /^export (\w+)=(.*)$/.exec(line);
    if (match) process.env[match[1]!] = match[2]!;
  }
}
