import { HEALING_EVENT_COLUMNS } from '../shared/healingEvent.js';
import { toCsvRecord } from './exportQuery.js';

describe('CSV record', () => {
  it('writes each column in schema order: ISO timestamps, true/false, JSON text as is, null as empty', () => {
    const record = toCsvRecord({
      metadata: '{"batch_id":"b1"}',
      root_cause: null,
      success: false,
      timestamp: { value: '2026-03-08T05:00:00.000Z' },
      healing_id: 'h1',
      healing_type: 'batch_cleanup',
      trigger_reason: 'a, "b"\nc',
      action_taken: 'completed',
      before_state: '{"completed":19}',
      after_state: '{}',
    });
    expect(Object.fromEntries(HEALING_EVENT_COLUMNS.map((column, index) => [column, record[index]]))).toEqual({
      healing_id: 'h1',
      timestamp: '2026-03-08T05:00:00.000Z',
      healing_type: 'batch_cleanup',
      trigger_reason: 'a, "b"\nc',
      action_taken: 'completed',
      before_state: '{"completed":19}',
      after_state: '{}',
      success: 'false',
      metadata: '{"batch_id":"b1"}',
      root_cause: '',
    });
  });
});
