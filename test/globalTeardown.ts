import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/local-stack.sh', import.meta.url));

/** Stops the emulators that global setup started; ones that were already running stay up. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.KEEP_LOCAL_STACK === 'true') return;
  execFileSync('bash', [script, 'stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
