import { cutAt, ELLIPSIS } from '../../shared/clip.js';

/** Longest line of free text (a recommendation) the table prints; the JSON has it whole. */
export const MAX_LINE_WIDTH = 400;

/** Whitespace controls (tab, line feed, vertical tab, form feed, carriage return) and Unicode line and paragraph separators. */
const SPACING = /[\t\n\v\f\r\u2028\u2029]/g;
/**
 * Every other control character a terminal may act on: C0 (ESC starts colour, cursor and OSC title or
 * hyperlink sequences; BEL rings), DEL and C1 (CSI and OSC in one byte), and the bidirectional
 * overrides and isolates that reorder what follows them on the line.
 */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text from events made safe to print on a terminal: no control character left, whitespace controls as spaces. */
export function terminalText(text: string): string {
  return text.replace(SPACING, ' ').replace(CONTROL, '');
}

/** `terminalText` of at most `max` characters, whitespace runs collapsed, ending with an ellipsis when cut. */
export function terminalCell(text: string, max: number): string {
  const flat = terminalText(text).replace(/\s+/g, ' ');
  if (flat.length <= max) return flat;
  return cutAt(flat, max - 1) + ELLIPSIS;
}
