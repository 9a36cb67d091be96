/**
 * Root-cause grouping: the event's `root_cause` when set, else its trigger reason with every token
 * that carries a digit (ids such as a1 or 3f2c-9e, counts, percentages, durations, timestamps)
 * replaced by `#` and whitespace collapsed. The patterns use only syntax that means the same in
 * JavaScript and in RE2 (BigQuery), so the SQL below and `causeOf` group identically.
 */
export const VARIABLE_TOKEN_PATTERN = String.raw`[A-Za-z0-9_]*[0-9](?:[A-Za-z0-9_]|[.:+-][A-Za-z0-9_])*`;
export const WHITESPACE_PATTERN = String.raw`[\t\n\f\r ]+`;
export const PLACEHOLDER = '#';

const variableToken = new RegExp(VARIABLE_TOKEN_PATTERN, 'g');
const whitespace = new RegExp(WHITESPACE_PATTERN, 'g');

export function fingerprint(triggerReason: string): string {
  return triggerReason.replace(variableToken, PLACEHOLDER).replace(whitespace, ' ').replace(/^ +| +$/g, '');
}

export function causeOf(event: { root_cause: string | null; trigger_reason: string }): string {
  const rootCause = event.root_cause?.trim();
  return rootCause ? rootCause : fingerprint(event.trigger_reason);
}

/** The same rule as a BigQuery expression over the columns `root_cause` and `trigger_reason`. */
export function causeSql(): string {
  const fingerprinted = `REGEXP_REPLACE(REGEXP_REPLACE(trigger_reason, r'${VARIABLE_TOKEN_PATTERN}', '${PLACEHOLDER}'), r'${WHITESPACE_PATTERN}', ' ')`;
  return `COALESCE(NULLIF(TRIM(root_cause), ''), TRIM(${fingerprinted}, ' '))`;
}
