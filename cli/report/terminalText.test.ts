import { terminalCell, terminalText } from './terminalText.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('text for a terminal', () => {
  it('drops colour, title, hyperlink and bell sequences down to their printable rest', () => {
    expect(terminalText('\u001b[31mred\u001b[0m')).toBe('[31mred[0m');
    expect(terminalText('\u001b]0;owned\u0007title')).toBe(']0;ownedtitle');
    expect(terminalText('\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\')).toBe(']8;;https://evil.example\\link]8;;\\');
    expect(terminalText('one-byte \u009b31m CSI and \u009d OSC')).toBe('one-byte 31m CSI and  OSC');
  });

  it('turns tabs, line breaks and line separators into spaces and drops bidirectional overrides', () => {
    expect(terminalText('a\tb\nc\r\nd\u2028e')).toBe('a b c  d e');
    expect(terminalText('abc\u202edcba\u2066x\u2069')).toBe('abcdcbax');
  });

  it('leaves every character that is not a control as it is', () => {
    const text = 'Café ✓ — 503 € 日本 😀 # % ( ) " \' \\';
    expect(terminalText(text)).toBe(text);
  });

  it('cuts a cell to its width with an ellipsis, never inside a surrogate pair, and collapses whitespace', () => {
    expect(terminalCell('a'.repeat(200), 60)).toBe(`${'a'.repeat(59)}…`);
    expect(terminalCell(`${'a'.repeat(58)}😀😀`, 60)).toBe(`${'a'.repeat(58)}…`);
    expect(terminalCell('x \t\n y\u001b[2J', 60)).toBe('x y[2J');
    expect(CONTROL.test(terminalCell('\u0007'.repeat(100), 10))).toBe(false);
  });
});
