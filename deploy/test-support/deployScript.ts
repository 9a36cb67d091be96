import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fakeCli = join(repoRoot, 'deploy/test-support/fake-cloud-cli.sh');

export interface DeployRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface DeployOptions {
  /** The checkout whose deploy.sh runs (see copyCheckout); this one by default. */
  checkout?: string;
  /** A command that runs `bash deploy.sh ...` as its arguments, e.g. a tracer. */
  prefix?: string[];
}

/** Runs deploy/deploy.sh with only the given environment (plus PATH and HOME), so the caller's settings cannot leak in. */
export function runDeploy(args: string[], env: Record<string, string>, { checkout = repoRoot, prefix = [] }: DeployOptions = {}): DeployRun {
  const [command = 'bash', ...commandArgs] = [...prefix, 'bash', join(checkout, 'deploy/deploy.sh'), ...args];
  const result = spawnSync(command, commandArgs, {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...env },
    encoding: 'utf8',
    // A run against the BigQuery emulator makes about ten bq calls, seconds of Python each on a busy machine.
    timeout: 240_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What deploy.sh reads from a checkout: the deploy, the data it passes on, and the job it builds to check the settings. */
const CHECKOUT_PARTS = ['deploy', 'schemas', 'jobs', 'shared', 'cli', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** A copy of the parts of this checkout the deploy reads (sharing node_modules), to run it with an edited data file. Remove it with rmSync. */
export function copyCheckout(): string {
  const copy = mkdtempSync(join(tmpdir(), 'deploy-checkout-'));
  for (const part of CHECKOUT_PARTS) cpSync(join(repoRoot, part), join(copy, part), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** The command lines a run printed (those starting with "+ "), without the prefix. */
export function plannedCommands(run: DeployRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('+ '))
    .map((line) => line.slice(2));
}

/** Stand-in `gcloud` and `bq` first on PATH, keeping their resources and a log of every call in a temp folder. */
export class FakeCloud {
  readonly dir: string;
  readonly state: string;
  readonly bin: string;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cloud-'));
    this.dir = dir;
    this.state = join(dir, 'state');
    this.bin = join(dir, 'bin');
    mkdirSync(this.state);
    mkdirSync(this.bin);
    symlinkSync(fakeCli, join(this.bin, 'gcloud'));
    symlinkSync(fakeCli, join(this.bin, 'bq'));
  }

  /** Environment that puts the stand-ins first on PATH. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: `${this.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, FAKE_CLOUD_STATE: this.state, ...extra };
  }

  /** Every call so far, as "tool arg arg ...". */
  calls(): string[] {
    const log = join(this.state, 'calls.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The raw text of a state file, e.g. the secret value the stand-in received on stdin. */
  read(path: string): string {
    return readFileSync(join(this.state, path), 'utf8');
  }
}
