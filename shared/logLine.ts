import { clip } from './clip.js';

/**
 * Cloud Logging drops an entry over 256 KB. A log line is built to stay far below that whatever a
 * writer put in a healing type, a reason or an error: every string is cut, control characters are
 * removed, long lists are shortened, and a line still too big keeps only its message.
 */
export const MAX_LINE_BYTES = 200_000;

interface Bounds {
  /** Longest string, in UTF-16 code units. */
  text: number;
  /** Longest `stack_trace`, which keeps its line breaks. */
  stack: number;
  /** Most items of an array, or keys of a map inside the line, kept. */
  items: number;
  /** Deepest nesting kept. */
  depth: number;
}

const USUAL: Bounds = { text: 4_000, stack: 16_000, items: 100, depth: 8 };
const TIGHT: Bounds = { text: 500, stack: 4_000, items: 20, depth: 4 };

/** The first line of a thrown value: `Name: message` for an Error. */
export function firstLineOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? '';
}

/**
 * One JSON log line, never throwing: big integers as strings, errors as their first line, cycles
 * marked, every string cleaned and cut, at most `MAX_LINE_BYTES` bytes.
 */
export function logLine(entry: Record<string, unknown>): string {
  for (const bounds of [USUAL, TIGHT]) {
    const line = JSON.stringify(bounded(entry, bounds, 0, []));
    if (Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
  }
  const kept = ['severity', 'message', 'time'].filter((key) => key in entry);
  const core = Object.fromEntries(kept.map((key) => [key, entry[key]]));
  const dropped = Object.keys(entry).length - kept.length;
  return JSON.stringify(bounded({ ...core, fields_dropped: `${dropped} field(s) left out: the line was over ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes` }, TIGHT, 0, []));
}

/** Text fit for one log field: control characters and unpaired surrogates out, then cut with a note. */
export function cleanText(text: string, max: number, keepLineBreaks = false): string {
  const cleaned = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(keepLineBreaks ? /\r\n?|\u2028|\u2029/g : /[\t\n\r\u2028\u2029]/g, keepLineBreaks ? '\n' : ' ')
    .replace(keepLineBreaks ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g, '');
  return clip(cleaned, max);
}

function bounded(value: unknown, bounds: Bounds, depth: number, ancestors: object[], key = ''): unknown {
  if (typeof value === 'string') return key === 'stack_trace' && depth === 1 ? cleanText(value, bounds.stack, true) : cleanText(value, bounds.text);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return cleanText(firstLineOf(value), bounds.text);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (depth >= bounds.depth) return '[nested too deep]';
  const inside = [...ancestors, value];
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return bounded((value as { toJSON(): unknown }).toJSON(), bounds, depth, ancestors, key);
  if (Array.isArray(value)) {
    const items = value.slice(0, bounds.items).map((item) => bounded(item, bounds, depth + 1, inside));
    return value.length > bounds.items ? [...items, `… and ${(value.length - bounds.items).toLocaleString('en-US')} more`] : items;
  }
  const entries = Object.entries(value);
  // The line's own keys are the caller's; only maps inside it are cut to `items` keys.
  const kept = entries.slice(0, depth === 0 ? entries.length : bounds.items).map(([name, item]) => [cleanText(name, 200), bounded(item, bounds, depth + 1, inside, name)]);
  if (depth > 0 && entries.length > bounds.items) kept.push(['fields_left_out', entries.length - bounds.items]);
  return Object.fromEntries(kept);
}
