/** Bounds a number must keep. */
export interface NumberRange {
  min?: number;
  max?: number;
  /** `min` itself is out of range. */
  exclusiveMin?: boolean;
  /** Only whole numbers. */
  whole?: boolean;
}

/** The number `text` writes in plain decimal (`15`, `-2.5`, `.5`), or NaN for anything else: exponents, hex, words, blanks. */
export function decimalNumber(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
}

/** The whole number `text` writes in digits alone, or NaN, also past the integers a double holds exactly. */
export function wholeNumber(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) ? value : NaN;
}

/** Whether `value` is a finite number within `range`. */
export function inRange(value: number, { min, max, exclusiveMin = false, whole = false }: NumberRange): boolean {
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) return false;
  if (min !== undefined && (exclusiveMin ? value <= min : value < min)) return false;
  return max === undefined || value <= max;
}

/** The range in words, for a message: `above 0 and at most 100`. */
export function describeRange({ min, max, exclusiveMin }: NumberRange): string {
  const parts: string[] = [];
  if (min !== undefined) parts.push(exclusiveMin ? `above ${min}` : `at least ${min}`);
  if (max !== undefined) parts.push(`at most ${max}`);
  return parts.join(' and ');
}

/** A positive whole number given on the command line (`--max-heals 5`); a RangeError naming `name` when `text` is not one. */
export function parsePositiveInteger(text: string, name: string): number {
  const value = wholeNumber(text.trim());
  if (!inRange(value, { min: 1 })) throw new RangeError(`${name} must be a positive whole number, got "${text}"`);
  return value;
}

/** A numeric option of an API: `fallback` when absent, else `value` when it is at least `min` (and whole, with `whole`); a RangeError naming the option otherwise. */
export function numberOption(value: number | undefined, name: string, fallback: number, { min, whole = false }: { min: number; whole?: boolean }): number {
  if (value === undefined) return fallback;
  if (!inRange(value, { min, whole })) throw new RangeError(`${name} must be a ${whole ? 'whole number' : 'number'} of at least ${min}, got ${value}`);
  return value;
}
