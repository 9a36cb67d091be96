import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const defaultBin = fileURLToPath(new URL('../../dist/jobs/main.js', import.meta.url));
const projectNode = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));

/** A stdout line: the parsed object when the line is a JSON object, else its raw text. */
export type JobLine = Record<string, unknown> | string;

export interface StartJobOptions {
  /** The child's whole environment besides PATH (nothing else is inherited); e.g. `emulatorEnv(suffix)`. */
  env: Record<string, string>;
  /** Command-line arguments; default none. */
  args?: string[];
  /** The process is killed with SIGKILL after this long, so a test never hangs; default 120000. */
  timeoutMs?: number;
  /** Script to run; default the built job, dist/jobs/main.js (built first when missing). */
  bin?: string;
  /** Options for node itself, before the script (e.g. `--import` of a preload); default none. */
  nodeArgs?: string[];
}

export interface JobResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: JobLine[];
  stderr: string;
  durationMs: number;
  /** The hard timeout killed the process. */
  timedOut: boolean;
}

const running = new Set<ChildProcess>();
// A worker that exits (a failed test, jest tearing down) takes its jobs with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

let build: Promise<void> | undefined;

/** Builds the project once when dist/jobs/main.js is missing (another worker building at the same time is not detected). */
export function ensureBuilt(): Promise<void> {
  if (existsSync(defaultBin)) return Promise.resolve();
  build ??= Promise.resolve().then(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PATH: pathWithProjectNode() } });
  });
  return build;
}

function pathWithProjectNode(): string {
  return [fileURLToPath(new URL('../../node_modules/.bin', import.meta.url)), process.env.PATH ?? ''].join(':');
}

/** The built job (or another script) running as a child process, its output collected as it comes. */
export class JobProcess {
  /** Every stdout line so far. */
  readonly lines: JobLine[] = [];
  private stderrText = '';
  private readonly startedAt = performance.now();
  private readonly listeners = new Set<() => void>();
  private timedOut = false;
  private readonly finished: Promise<JobResult>;
  private exited = false;

  private constructor(private readonly child: ChildProcess, timeoutMs: number) {
    running.add(child);
    const timer = setTimeout(() => {
      this.timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      this.lines.push(parseLine(text));
      for (const listener of this.listeners) listener();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.finished = new Promise((resolve, reject) => {
      child.once('error', (error) => {
        clearTimeout(timer);
        running.delete(child);
        this.exited = true;
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        this.exited = true;
        for (const listener of this.listeners) listener();
        resolve({ code, signal, lines: this.lines, stderr: this.stderrText, durationMs: Math.round(performance.now() - this.startedAt), timedOut: this.timedOut });
      });
    });
    this.finished.catch(() => undefined);
  }

  /** Starts `node <bin> ...args` with Node 22 from node_modules/.bin. */
  static async start(options: StartJobOptions): Promise<JobProcess> {
    if (options.bin === undefined) await ensureBuilt();
    const node = existsSync(projectNode) ? projectNode : process.execPath;
    const child = spawn(node, [...(options.nodeArgs ?? []), options.bin ?? defaultBin, ...(options.args ?? [])], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new JobProcess(child, options.timeoutMs ?? 120_000);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Standard error so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** The stdout lines that are JSON objects. */
  jsonLines(): Array<Record<string, unknown>> {
    return this.lines.filter((line): line is Record<string, unknown> => typeof line !== 'string');
  }

  /**
   * Resolves with the first JSON stdout line (already printed or still to come) that matches;
   * rejects when `timeoutMs` passes or the process ends first, showing what it printed.
   */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.jsonLines().find(predicate);
        if (found !== undefined) finish(() => resolve(found));
        else if (this.exited) void this.finished.then(({ code, signal }) => finish(() => reject(new Error(`the process ended (${signal ?? `exit code ${code}`}) without a matching line\n${this.tail()}`))), (error: Error) => finish(() => reject(error)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching line within ${timeoutMs} ms\n${this.tail()}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends a signal (SIGTERM, as Cloud Run does, by default); false when the process has already ended. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    return !this.exited && this.child.kill(signal);
  }

  /** Resolves when the process has ended and its output is complete. */
  result(): Promise<JobResult> {
    return this.finished;
  }

  private tail(): string {
    const last = this.lines.slice(-5).map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
    return [`last stdout lines: ${last.length === 0 ? '(none)' : ''}`, ...last, `stderr: ${this.stderrText.trim() || '(none)'}`].join('\n');
  }
}

/** Starts the job and waits for it to end. */
export async function runJob(options: StartJobOptions): Promise<JobResult> {
  return (await JobProcess.start(options)).result();
}

function parseLine(text: string): JobLine {
  if (!text.startsWith('{')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : text;
  } catch {
    return text;
  }
}
