import type { HealingReport } from '../../cli/analysis/healingReport.js';
import { analyzeHealing } from '../../cli/analyzeHealing.js';

export interface AnalyzeHealingRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs analyze-healing in-process at the fixed time `now`, keeping what it writes. */
export async function runAnalyzeHealing(args: string[], env: Record<string, string>, now: Date, stderrIsTty = false): Promise<AnalyzeHealingRun> {
  let stdout = '';
  let stderr = '';
  const code = await analyzeHealing(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: stderrIsTty },
    now: () => now,
  });
  return { code, stdout, stderr };
}

/** The `--format json` report; throws unless analyze-healing exits 0 with nothing on stderr. */
export async function jsonReport(args: string[], env: Record<string, string>, now: Date): Promise<HealingReport> {
  const { code, stdout, stderr } = await runAnalyzeHealing([...args, '--format', 'json'], env, now);
  if (code !== 0 || stderr !== '') throw new Error(`analyze-healing exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as HealingReport;
}
