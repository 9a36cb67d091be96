// Turns the job's JSON log lines into text a person reads in a terminal; the run summary as a table.
import { createInterface } from 'node:readline';

const SUMMARY_KEYS = ['found', 'stalled', 'healed', 'failed', 'skipped_malformed', 'skipped_changed', 'skipped_locked', 'verdicts', 'exported', 'verdicts_exported', 'pending_export', 'firestore_reads', 'duration_ms'];

/** A summary value as text: counts by name (`verdicts`) as `held 6, premature 5, gone 1`. */
function shown(value) {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value).map(([name, count]) => `${name} ${count}`).join(', ');
  return String(value);
}

for await (const line of createInterface({ input: process.stdin })) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    process.stdout.write(`${line}\n`);
    continue;
  }
  process.stdout.write(`${String(entry.severity).padEnd(8)} ${entry.message}\n`);
  if (entry.message === 'run summary') {
    for (const key of SUMMARY_KEYS) process.stdout.write(`           ${key.padEnd(18)} ${shown(entry[key])}\n`);
  }
}
