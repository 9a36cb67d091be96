/**
 * Root-cause grouping: the event's `root_cause` when set, else its trigger reason with every token
 * that carries a digit (ids such as a1 or 3f2c-9e, counts, percentages, durations, timestamps)
 * replaced by `#` and whitespace collapsed, except an HTTP status code (100 to 599) right after
 * `HTTP`, `HTTP/1.1` (any version), `HTTP Error`, `status`, `status_code`, `code` or `returned`,
 * which names the cause and stays (`HTTP 503`, `status: 404`, `returned 500`).
 *
 * The rule is a list of regular-expression replacements that use only syntax meaning the same in
 * JavaScript and in RE2 (BigQuery has no lookbehind or lookahead), applied in the same order by
 * `fingerprint` and by `causeSql`, so both group identically:
 * 1. whitespace runs become one space (both ends are trimmed at the end);
 * 2. a keyword followed by a longer number (`returned 500.5`, `HTTP 5034`) keeps the keyword only;
 * 3. a status code with its keyword is wrapped in marks, and any other token with a digit becomes
 *    two marks;
 * 4. two marks become `#`; 5. the remaining marks are dropped.
 * Each replacement names at most one group, as `\1` followed by one character: the BigQuery
 * emulator reads no other form correctly.
 */
export const VARIABLE_TOKEN_PATTERN = String.raw`[A-Za-z0-9_]*[0-9](?:[A-Za-z0-9_]|[.:+-][A-Za-z0-9_])*`;
export const WHITESPACE_PATTERN = String.raw`[\t\n\f\r ]+`;
export const PLACEHOLDER = '#';
/** The unit separator, a control character no readable reason holds, marks what step 3 kept. */
const MARK = '\u001f';
const MARK_PATTERN = String.raw`\x1f`;

/** `status` as `[Ss][Tt][Aa][Tt][Uu][Ss]`: case-insensitive in both engines without flags. */
function anyCase(word: string): string {
  return Array.from(word, (char) => (/[a-z]/i.test(char) ? `[${char.toUpperCase()}${char.toLowerCase()}]` : char)).join('');
}

const HTTP = String.raw`${anyCase('http')}(?:/[0-9](?:\.[0-9])?)?(?: ${anyCase('error')})?`;
const STATUS_KEYWORD = `(?:${HTTP}|${anyCase('status_code')}|${anyCase('status')}|${anyCase('code')}|${anyCase('returned')})`;
const STATUS_SEPARATOR = '(?: ?[:=]{1,2} ?| )';
/** A keyword starting a word, then a separator. */
const STATUS_PREFIX = String.raw`\b${STATUS_KEYWORD}${STATUS_SEPARATOR}`;
const STATUS_CODE = '[1-5][0-9][0-9]';
const TOKEN_CONTINUATION = String.raw`(?:[A-Za-z0-9_]|[.:+-][A-Za-z0-9_])`;

interface Replacement {
  pattern: string;
  /** `\1` stands for the first group, as in BigQuery; `fingerprint` turns it into `$1`. */
  replacement: string;
}

export const FINGERPRINT_STEPS: readonly Replacement[] = [
  { pattern: WHITESPACE_PATTERN, replacement: ' ' },
  { pattern: `(${STATUS_PREFIX})${STATUS_CODE}${TOKEN_CONTINUATION}+`, replacement: String.raw`\1${PLACEHOLDER}` },
  { pattern: String.raw`(${STATUS_PREFIX}${STATUS_CODE})\b|${VARIABLE_TOKEN_PATTERN}`, replacement: String.raw`${MARK}\1${MARK}` },
  { pattern: `${MARK_PATTERN}${MARK_PATTERN}`, replacement: PLACEHOLDER },
  { pattern: MARK_PATTERN, replacement: '' },
];

const compiled = FINGERPRINT_STEPS.map(({ pattern, replacement }) => ({
  regex: new RegExp(pattern, 'g'),
  replacement: replacement.replace(/\$/g, '$$$$').replace(/\\1/g, '$$1'),
}));

export function fingerprint(triggerReason: string): string {
  const collapsed = compiled.reduce((text, { regex, replacement }) => text.replace(regex, replacement), triggerReason);
  return collapsed.replace(/^ +| +$/g, '');
}

export function causeOf(event: { root_cause: string | null; trigger_reason: string }): string {
  const rootCause = event.root_cause?.trim();
  return rootCause ? rootCause : fingerprint(event.trigger_reason);
}

/**
 * Digits 1 to 5 written as `1`, the others as `0`. The fingerprint of the result has the same shape as
 * the reason's: the rule looks at a digit only as a digit, or as the first digit of a status code
 * (1 to 5). So when the fingerprint of `digitClasses(reason)` holds no digit (it kept no status code),
 * it is the reason's fingerprint; reasons that differ only in their numbers share one.
 */
export const DIGIT_CLASSES = { digits: '0123456789', classes: '0111110000' } as const;

export function digitClasses(text: string): string {
  return text.replace(/[0-9]/g, (digit) => DIGIT_CLASSES.classes[Number(digit)]!);
}

/**
 * Numbers of four digits or more written as `1000` (first digit 1 to 5) or `0000`: such a number is
 * never kept (a status code has three digits) and only its first digit decides whether it follows a
 * status keyword as a status code, so `fingerprint(collapseLongNumbers(reason))` is always the
 * reason's fingerprint. A digit run whose own first digit differs keeps its first digit: a match
 * starting inside it leaves that digit in front.
 */
export const LONG_NUMBER_STEPS: readonly Replacement[] = [
  { pattern: '[06-9][0-9][0-9][0-9]+', replacement: '0000' },
  { pattern: '[1-5][0-9][0-9][0-9]+', replacement: '1000' },
];

const longNumbers = LONG_NUMBER_STEPS.map(({ pattern, replacement }) => ({ regex: new RegExp(pattern, 'g'), replacement }));

export function collapseLongNumbers(text: string): string {
  return longNumbers.reduce((collapsed, { regex, replacement }) => collapsed.replace(regex, replacement), text);
}

/** The fingerprint as a BigQuery expression over the STRING expression `input`. */
export function fingerprintSql(input: string): string {
  return `TRIM(${replacementsSql(FINGERPRINT_STEPS, input)}, ' ')`;
}

/** `digitClasses` as a BigQuery expression. */
export function digitClassesSql(input: string): string {
  return `TRANSLATE(${input}, '${DIGIT_CLASSES.digits}', '${DIGIT_CLASSES.classes}')`;
}

/** `collapseLongNumbers` as a BigQuery expression. */
export function collapseLongNumbersSql(input: string): string {
  return replacementsSql(LONG_NUMBER_STEPS, input);
}

function replacementsSql(steps: readonly Replacement[], input: string): string {
  return steps.reduce((expression, { pattern, replacement }) => `REGEXP_REPLACE(${expression}, r'${pattern}', ${sqlString(replacement)})`, input);
}

/** A quoted BigQuery string literal; control characters are written as `\xhh` escapes. */
function sqlString(text: string): string {
  const escaped = text.replace(/[\\']/g, (char) => `\\${char}`).replace(/[\u0000-\u001f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${escaped}'`;
}
