import type { HealingReport } from '../analysis/healingReport.js';

/** The one JSON document `--format json` prints. */
export function renderJson(report: HealingReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
