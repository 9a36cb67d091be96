import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { clip } from '../clip.js';

/**
 * Slack's Block Kit limits; a message over any of them is refused with `400 invalid_blocks`.
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), which is never less than the
 * characters Slack counts, so a text within these limits here is within them at Slack.
 */
export const BLOCK_KIT_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  blocks: 50,
  contextElements: 10,
  /** A context element's text; Slack allows a text object 3,000 characters. */
  contextText: 3000,
  /** Slack truncates the top-level `text` past 40,000; a notification line should stay far shorter. */
  messageText: 3000,
} as const;

/** Shown where a text would otherwise be empty: Slack refuses empty texts. */
const EMPTY = '-';

/** Whitespace runs, line breaks included, as one space; trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Slack's mrkdwn needs &, < and > escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function nonEmpty(text: string): string {
  return text.trim() === '' ? EMPTY : text;
}

/**
 * A header of plain text on one line, escaped here (Slack reads &, < and > as control characters in
 * plain text too), cut to 150 characters.
 */
export function header(text: string): HeaderBlock {
  const line = escapeMrkdwn(oneLine(text));
  return { type: 'header', text: { type: 'plain_text', text: clip(nonEmpty(line), BLOCK_KIT_LIMITS.headerText), emoji: true } };
}

/** A section of mrkdwn text, already escaped by the caller where it holds outside text, cut to 3,000 characters. */
export function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(nonEmpty(mrkdwn), BLOCK_KIT_LIMITS.sectionText) } };
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
  const title = `*${clip(escapeMrkdwn(nonEmpty(label)), 200)}*\n`;
  return { type: 'mrkdwn', text: title + clip(escapeMrkdwn(nonEmpty(value)), BLOCK_KIT_LIMITS.fieldText - title.length) };
}

/** A context block of mrkdwn elements, at most ten (the rest are counted in the last one). */
export function context(mrkdwnTexts: readonly string[]): ContextBlock {
  const max = BLOCK_KIT_LIMITS.contextElements;
  const texts = mrkdwnTexts.length === 0 ? [EMPTY] : mrkdwnTexts;
  const shown = texts.length > max ? [...texts.slice(0, max - 1), `and ${(texts.length - (max - 1)).toLocaleString('en-US')} more`] : texts;
  return { type: 'context', elements: shown.map((text) => ({ type: 'mrkdwn', text: clip(nonEmpty(text), BLOCK_KIT_LIMITS.contextText) })) };
}

export interface ListOptions {
  /** Most lines shown before `and N more`. Default 20. */
  maxLines?: number;
  /** Each line is cut to this many characters first, so one long line cannot push out the others. Default 500. */
  maxLineLength?: number;
  /** Names what a cut line held: `reason` gives `(reason shortened, …)`. Default none. */
  noun?: string;
}

/**
 * A titled list in one section: as many mrkdwn lines (escaped by the caller) as fit in the section
 * limit, then `and N more`. The title is escaped here.
 */
export function listSection(title: string, lines: readonly string[], { maxLines = 20, maxLineLength = 500, noun }: ListOptions = {}): SectionBlock {
  const limit = BLOCK_KIT_LIMITS.sectionText;
  const moreRoom = 40;
  let text = `*${clip(escapeMrkdwn(nonEmpty(title)), 200)}*`;
  let shown = 0;
  for (const line of lines.slice(0, maxLines)) {
    const next = `${text}\n${clip(line, maxLineLength, { noun })}`;
    if (next.length > limit - moreRoom) break;
    text = next;
    shown += 1;
  }
  if (lines.length === 0) text += '\n(none)';
  if (shown < lines.length) text += `\nand ${(lines.length - shown).toLocaleString('en-US')} more`;
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, limit) } };
}

/**
 * Keeps a message within the block count: past 50 blocks the 50th and later are replaced by one
 * context block saying how many were left out. The top-level text becomes one readable line.
 */
export function fitMessage<T extends { text: string; blocks: KnownBlock[] }>(message: T): T {
  const max = BLOCK_KIT_LIMITS.blocks;
  const blocks =
    message.blocks.length <= max
      ? message.blocks
      : [...message.blocks.slice(0, max - 1), context([`${(message.blocks.length - (max - 1)).toLocaleString('en-US')} more blocks left out`])];
  const text = clip(nonEmpty(oneLine(message.text)), BLOCK_KIT_LIMITS.messageText);
  return { ...message, text, blocks };
}
