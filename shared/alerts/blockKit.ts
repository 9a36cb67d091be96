import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';

/** Slack's Block Kit limits; a message over any of them is refused with `invalid_blocks`. */
export const BLOCK_KIT_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  blocks: 50,
  contextElements: 10,
  /** Slack truncates the top-level `text` past 40,000; a notification line should stay far shorter. */
  messageText: 3000,
} as const;

const ELLIPSIS = '…';

/** Slack's mrkdwn needs &, < and > escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most `max` characters, ending with an ellipsis and how much was cut
 * (`… (1,234 characters cut)`). Never cuts inside an escaped entity such as `&amp;`.
 */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const note = (keep: number) => `${ELLIPSIS} (${(chars.length - keep).toLocaleString('en-US')} characters cut)`;
  let keep = max - note(max).length;
  while (keep > 0 && keep + note(keep).length > max) keep -= 1;
  if (keep < 1) return chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
  let kept = chars.slice(0, keep).join('');
  const entity = /&[a-z]{0,4}$/.exec(kept);
  if (entity) kept = kept.slice(0, entity.index);
  return `${kept}${note(Array.from(kept).length)}`;
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, BLOCK_KIT_LIMITS.headerText), emoji: true } };
}

/** A section of mrkdwn text, already escaped by the caller where it holds outside text. */
export function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, BLOCK_KIT_LIMITS.sectionText) } };
}

/** A label and a value shown side by side with others in a fields section. Both are escaped here. */
export interface Field {
  label: string;
  value: string;
}

/** Fields sections of at most ten fields each; labels and values are escaped and cut to fit. */
export function fieldSections(fields: readonly Field[]): SectionBlock[] {
  const sections: SectionBlock[] = [];
  for (let start = 0; start < fields.length; start += BLOCK_KIT_LIMITS.fields) {
    sections.push({
      type: 'section',
      fields: fields.slice(start, start + BLOCK_KIT_LIMITS.fields).map(({ label, value }) => fieldText(label, value)),
    });
  }
  return sections;
}

function fieldText(label: string, value: string): MrkdwnElement {
  const title = `*${clip(escapeMrkdwn(label), 200)}*\n`;
  return { type: 'mrkdwn', text: title + clip(escapeMrkdwn(value), BLOCK_KIT_LIMITS.fieldText - title.length) };
}

/** A context block of mrkdwn elements, at most ten (the rest are counted in the last one). */
export function context(mrkdwnTexts: readonly string[]): ContextBlock {
  const max = BLOCK_KIT_LIMITS.contextElements;
  const shown = mrkdwnTexts.length > max ? [...mrkdwnTexts.slice(0, max - 1), `and ${mrkdwnTexts.length - (max - 1)} more`] : mrkdwnTexts;
  return { type: 'context', elements: shown.map((text) => ({ type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.sectionText) })) };
}

/**
 * A titled list in one section: as many lines as fit in the section limit, then `and N more`.
 * Each line is cut to `maxLineLength` first, so one long line cannot push out the others.
 */
export function listSection(title: string, lines: readonly string[], { maxLines = 20, maxLineLength = 500 } = {}): SectionBlock {
  const head = `*${clip(escapeMrkdwn(title), 200)}*`;
  const limit = BLOCK_KIT_LIMITS.sectionText;
  const moreRoom = 40;
  let text = head;
  let shown = 0;
  for (const line of lines.slice(0, maxLines)) {
    const next = `${text}\n${clip(line, maxLineLength)}`;
    if (next.length > limit - moreRoom) break;
    text = next;
    shown += 1;
  }
  if (lines.length === 0) text += '\n(none)';
  if (shown < lines.length) text += `\nand ${(lines.length - shown).toLocaleString('en-US')} more`;
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, limit) } };
}

/**
 * Keeps a message within the block count: past 49 blocks the rest are replaced by one context
 * block saying how many were left out. The top-level text is cut to one readable line.
 */
export function fitMessage<T extends { text: string; blocks: KnownBlock[] }>(message: T): T {
  const max = BLOCK_KIT_LIMITS.blocks;
  const blocks =
    message.blocks.length <= max
      ? message.blocks
      : [...message.blocks.slice(0, max - 1), context([`${message.blocks.length - (max - 1)} more blocks left out`])];
  const text = clip(message.text.replace(/\s+/g, ' ').trim(), BLOCK_KIT_LIMITS.messageText);
  return { ...message, text, blocks };
}
