import type { KnownBlock, SectionBlock } from '@slack/types';
import { blockKitViolations } from '../../test/support/blockKitLimits.js';
import { BLOCK_KIT_LIMITS, context, fieldSections, fitMessage, header, listSection, section } from './blockKit.js';

function sectionText(block: SectionBlock): string {
  return block.text!.text;
}

describe('Block Kit helpers', () => {
  it('cuts a header to 150 characters and says how much was cut', () => {
    const block = header(`:warning: YELLOW alert: ${'t'.repeat(400)}`);
    expect(block.text.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.headerText);
    expect(block.text.text).toMatch(/… \(\d+ characters cut\)$/);
    expect(blockKitViolations({ text: 'x', blocks: [block] })).toEqual([]);
  });

  it('escapes a header and puts it on one line: Slack reads <!channel> and links in plain text too', () => {
    const block = header('RED alert: <!channel>\n<https://evil.example|runbook> & co');
    expect(block.text.text).toBe('RED alert: &lt;!channel&gt; &lt;https://evil.example|runbook&gt; &amp; co');
  });

  it('never makes an empty header, section or context text, which Slack refuses', () => {
    const blocks = [header(''), section('  '), context([]), context(['']), ...fieldSections([{ label: '', value: '' }])];
    expect(blockKitViolations({ text: 'x', blocks })).toEqual([]);
  });

  it('cuts a section to 3,000 characters', () => {
    const block = section('y'.repeat(3500));
    expect(sectionText(block).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.sectionText);
    expect(sectionText(block)).toContain('characters cut');
  });

  it('puts at most ten fields in a section, each within 2,000 characters, and escapes them', () => {
    const fields = Array.from({ length: 23 }, (_, index) => ({ label: `Label <${index}>`, value: 'v&'.repeat(1500) }));
    const sections = fieldSections(fields);
    expect(sections.map((block) => block.fields!.length)).toEqual([10, 10, 3]);
    for (const field of sections.flatMap((block) => block.fields!)) {
      expect(field.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.fieldText);
      expect(field.text).not.toMatch(/<|&(?!amp;|lt;|gt;)/);
    }
    expect(sections[0]!.fields![0]!.text).toMatch(/^\*Label &lt;0&gt;\*\n(v&amp;)+v?… \(\d{1,3}(,\d{3})* characters cut\)$/);
    expect(blockKitViolations({ text: 'x', blocks: sections })).toEqual([]);
  });

  it('keeps a context block to ten elements, counting the rest in the last', () => {
    const block = context(Array.from({ length: 14 }, (_, index) => `element ${index}`));
    expect(block.elements).toHaveLength(10);
    expect(block.elements[9]).toEqual({ type: 'mrkdwn', text: 'and 5 more' });
  });

  it('lists as many lines as fit, then says how many more there are', () => {
    const lines = Array.from({ length: 30 }, (_, index) => `line ${index} ${'z'.repeat(290)}`);
    const block = listSection('Healed <batches>', lines, { maxLines: 30 });
    const text = sectionText(block);
    expect(text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.sectionText);
    expect(text.startsWith('*Healed &lt;batches&gt;*\nline 0 ')).toBe(true);
    const shown = text.split('\n').filter((line) => line.startsWith('line ')).length;
    expect(text.endsWith(`\nand ${30 - shown} more`)).toBe(true);
    expect(shown).toBeGreaterThan(5);
  });

  it('cuts each long line so one line cannot push out the others, naming what was shortened', () => {
    const block = listSection('Recent events', ['r'.repeat(2000), 'short'], { maxLineLength: 200, noun: 'reason' });
    const [, first, second] = sectionText(block).split('\n');
    expect(first).toHaveLength(200);
    expect(first).toMatch(/… \(reason shortened, 1,8\d\d characters cut\)$/);
    expect(second).toBe('short');
  });

  it('shows (none) for an empty list', () => {
    expect(sectionText(listSection('Failed to heal', []))).toBe('*Failed to heal*\n(none)');
  });

  it('keeps a message to 50 blocks, saying how many were left out, and its text to one line', () => {
    const blocks: KnownBlock[] = Array.from({ length: 60 }, (_, index) => section(`block ${index}`));
    const fitted = fitMessage({ text: 'two\nlines  and\tspaces', blocks });
    expect(fitted.blocks).toHaveLength(50);
    expect(fitted.blocks[49]).toEqual(context(['11 more blocks left out']));
    expect(fitted.text).toBe('two lines and spaces');
    expect(blockKitViolations(fitted)).toEqual([]);
  });

  it('leaves a message of 50 blocks whole', () => {
    const blocks: KnownBlock[] = Array.from({ length: 50 }, (_, index) => section(`block ${index}`));
    expect(fitMessage({ text: 'x', blocks }).blocks).toEqual(blocks);
  });
});
