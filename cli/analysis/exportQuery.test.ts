import { HEALING_EVENT_COLUMNS } from '../../shared/healingEvent.js';
import { csvRecordReader, timestampText } from './exportQuery.js';

describe('CSV record', () => {
  it('writes each column in schema order, whatever order BigQuery sent them in', () => {
    const fields = [...HEALING_EVENT_COLUMNS].reverse().map((name) => ({ name, type: name === 'timestamp' ? 'TIMESTAMP' : name === 'success' ? 'BOOLEAN' : 'STRING' }));
    const sent: Record<string, string | null> = {
      healing_id: 'h1',
      timestamp: '1772946000000000',
      healing_type: 'batch_cleanup',
      trigger_reason: 'a, "b"\nc',
      action_taken: 'completed',
      before_state: '{"completed":19}',
      after_state: '{}',
      success: 'false',
      metadata: '{"batch_id":"b1"}',
      root_cause: null,
    };
    const record = csvRecordReader(fields)({ f: fields.map((field) => ({ v: sent[field.name]! })) });
    expect(Object.fromEntries(HEALING_EVENT_COLUMNS.map((column, index) => [column, record[index]]))).toEqual({
      ...sent,
      timestamp: '2026-03-08T05:00:00.000Z',
      root_cause: '',
    });
  });

  it('refuses a result without one of the schema columns', () => {
    expect(() => csvRecordReader([{ name: 'healing_id' }])).toThrow('no timestamp column');
  });

  it('writes timestamps in ISO 8601 UTC, microseconds only when there are some', () => {
    expect(timestampText('1772946000123000')).toBe('2026-03-08T05:00:00.123Z');
    expect(timestampText('1772946000123456')).toBe('2026-03-08T05:00:00.123456Z');
    expect(timestampText('-1500')).toBe('1969-12-31T23:59:59.998500Z');
    expect(timestampText('1.772946000123E9')).toBe('2026-03-08T05:00:00.123Z');
  });
});
