import { main } from '../../jobs/program.js';

export interface ProgramResult {
  code: number;
  stdout: string;
  /** Standard error, trimmed. */
  stderr: string;
}

/** Runs the job's program in this process, as `auto-batch-cleanup ...args` with exactly `env`, and collects what it wrote. */
export async function runProgram(args: string[], env: Record<string, string | undefined>, options: { stop?: AbortSignal; now?: () => Date } = {}): Promise<ProgramResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, env, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stop: options.stop ?? new AbortController().signal,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { code, stdout, stderr: stderr.trim() };
}

/** The JSON lines of standard output. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}
