import { blockKitViolations } from './blockKitLimits.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const sectionOf = (text: string) => ({ type: 'section', text: mrkdwn(text) });

describe('blockKitViolations', () => {
  it('accepts a message at every limit exactly', () => {
    const message = {
      text: 'summary',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        sectionOf('s'.repeat(3000)),
        { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f'.repeat(2000))) },
        { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
        ...Array.from({ length: 46 }, () => ({ type: 'divider' })),
      ],
    };
    expect(message.blocks).toHaveLength(50);
    expect(blockKitViolations(message)).toEqual([]);
  });

  it('names every limit a message breaks', () => {
    const message = {
      text: ' ',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'header', text: { type: 'mrkdwn', text: 'bold' } },
        sectionOf('s'.repeat(3001)),
        sectionOf(''),
        { type: 'section', fields: Array.from({ length: 11 }, (_, index) => mrkdwn(index === 0 ? 'f'.repeat(2001) : 'f')) },
        { type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) },
        { type: 'context', elements: [] },
        ...Array.from({ length: 44 }, () => ({ type: 'divider' })),
      ],
    };
    expect(blockKitViolations(message)).toEqual([
      'top-level text is empty or not a string',
      '51 blocks, more than 50',
      'block 0 (header) text is 151 characters, more than 150',
      'block 1 (header) text has type "mrkdwn", not plain_text',
      'block 2 (section) text is 3001 characters, more than 3000',
      'block 3 (section) text is empty',
      'block 4 (section) has 11 fields, more than 10',
      'block 4 (section) field 0 is 2001 characters, more than 2000',
      'block 5 (context) has 11 elements, more than 10',
      'block 6 (context) elements is not a non-empty array',
    ]);
  });

  it('counts an emoji as two, never fewer than Slack counts', () => {
    expect(blockKitViolations({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: '🔥'.repeat(76) } }] })).toEqual([
      'block 0 (header) text is 152 characters, more than 150',
    ]);
  });
});
