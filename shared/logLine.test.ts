import { cleanText, logLine, MAX_LINE_BYTES } from './logLine.js';

const MIB = 1024 * 1024;

function parsed(entry: Record<string, unknown>): { line: string; fields: Record<string, unknown> } {
  const line = logLine(entry);
  return { line, fields: JSON.parse(line) as Record<string, unknown> };
}

describe('log lines', () => {
  it('cuts a 1 MiB healing type to a few KB, saying how much was cut, in a field and in the message', () => {
    const type = 't'.repeat(MIB);
    const { line, fields } = parsed({ severity: 'INFO', message: `healing pattern for ${type}: yellow`, healing_type: type });
    expect(Buffer.byteLength(line)).toBeLessThan(10_000);
    expect(fields.healing_type).toMatch(/^t+… \(1,04\d,\d{3} characters cut\)$/);
    expect(String(fields.healing_type)).toHaveLength(4_000);
    expect(fields.message).toMatch(/^healing pattern for t+… \([\d,]+ characters cut\)$/);
  });

  it('removes control characters and turns line breaks and tabs into spaces', () => {
    const { fields } = parsed({ severity: 'INFO', message: 'ok', reason: 'a\u0000b\nc\td\u001b[31me\u007f\u0085f\u2028g' });
    expect(fields.reason).toBe('ab c d[31mef g');
  });

  it('keeps the line breaks of a stack trace', () => {
    const stack = 'TypeError: x\n    at f (a.js:1:1)\r\n    at g (b.js:2:2)\u0000';
    expect(parsed({ severity: 'ERROR', message: 'failed', stack_trace: stack }).fields.stack_trace).toBe('TypeError: x\n    at f (a.js:1:1)\n    at g (b.js:2:2)');
  });

  it('replaces unpaired surrogates, which JSON would write as six bytes each, and keeps emoji whole', () => {
    expect(cleanText('a\uD800b\uDC00c🔥', 100)).toBe('a\uFFFDb\uFFFDc🔥');
  });

  it('cuts long lists and names how many items were left out', () => {
    const { fields } = parsed({ severity: 'WARNING', message: 'left', healing_types: Array.from({ length: 1_000 }, (_, i) => `type-${i}`) });
    const types = fields.healing_types as string[];
    expect(types).toHaveLength(101);
    expect(types.at(-1)).toBe('… and 900 more');
  });

  it('stays under the line limit whatever the fields hold, keeping severity, message and time', () => {
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field_${i}`, 'x'.repeat(MIB / 8)]));
    const deep = Array.from({ length: 30 }, () => Array.from({ length: 30 }, () => Array.from({ length: 30 }, () => 'y'.repeat(2_000))));
    for (const fields of [wide, { deep }]) {
      const { line, fields: written } = parsed({ severity: 'INFO', message: 'run summary', ...fields, time: '2026-11-23T12:00:00.000Z' });
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
      expect(written).toMatchObject({ severity: 'INFO', message: 'run summary', time: '2026-11-23T12:00:00.000Z' });
    }
  });

  it('never throws on values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const { fields } = parsed({ severity: 'INFO', message: 'odd', big: 10n ** 20n, cyclic, when: new Date(0), error: new RangeError(`deep\n${'z'.repeat(MIB)}`) });
    expect(fields).toMatchObject({ big: '100000000000000000000', cyclic: { name: 'a', self: '[Circular]' }, when: '1970-01-01T00:00:00.000Z', error: 'RangeError: deep' });
  });
});
