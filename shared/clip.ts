export const ELLIPSIS = '…';

export interface ClipOptions {
  /** What is cut, named in the note: `reason` gives `… (reason shortened, 1,234 characters cut)`. Default none. */
  noun?: string;
}

/**
 * Cuts text to at most `max` UTF-16 code units, ending with an ellipsis and how much was cut
 * (`… (1,234 characters cut)`). Never cuts a surrogate pair in two, nor inside an escaped entity
 * such as `&amp;`.
 */
export function clip(text: string, max: number, { noun }: ClipOptions = {}): string {
  if (text.length <= max) return text;
  const note = (cut: number) => `${ELLIPSIS} (${noun ? `${noun} shortened, ` : ''}${cut.toLocaleString('en-US')} characters cut)`;
  for (let keep = max - note(text.length).length; keep > 0; keep -= 1) {
    const kept = withoutPartialEntity(cutAt(text, keep));
    const clipped = `${kept}${note(text.length - kept.length)}`;
    if (clipped.length <= max) return clipped;
  }
  return cutAt(text, max - ELLIPSIS.length) + ELLIPSIS;
}

function withoutPartialEntity(text: string): string {
  const entity = /&[a-z]{0,4}$/.exec(text);
  return entity ? text.slice(0, entity.index) : text;
}

/** The first `length` code units of text, one fewer when the last would split a surrogate pair. */
export function cutAt(text: string, length: number): string {
  if (length <= 0) return '';
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}
