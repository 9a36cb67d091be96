import { recommend, type TypeActivity } from './recommendations.js';

const activity = (overrides: Partial<TypeActivity> & { healing_type: string }): TypeActivity => ({
  events: 2,
  failures: 0,
  earlier_events: 1,
  later_events: 1,
  top_cause: null,
  ...overrides,
});

describe('recommendations', () => {
  it('says nothing about a few successful, steady heals', () => {
    expect(recommend([activity({ healing_type: 'retry' })], 24)).toEqual([]);
  });

  it('puts a type that always fails first, then one below 80% success', () => {
    const advice = recommend(
      [activity({ healing_type: 'retry', events: 5, failures: 2, earlier_events: 3, later_events: 2 }), activity({ healing_type: 'fallback', events: 1, failures: 1, earlier_events: 1, later_events: 0 })],
      24,
    );
    expect(advice).toEqual([
      'fallback failed every time (1 of 1 events): the healing action itself is broken; see why with --type fallback --export fallback.csv',
      'retry succeeded in only 60.0% of 5 events (2 failed): see why with --type retry --export retry.csv',
    ]);
  });

  it('does not call 80% success low', () => {
    expect(recommend([activity({ healing_type: 'retry', events: 5, failures: 1, earlier_events: 3, later_events: 2 })], 24)).toEqual([]);
  });

  it('calls 10 heals in 24 hours frequent and names the main cause', () => {
    const advice = recommend(
      [activity({ healing_type: 'batch_cleanup', events: 10, earlier_events: 5, later_events: 5, top_cause: { cause: 'stalled_batch', events: 7 } })],
      24,
    );
    expect(advice).toEqual([
      'batch_cleanup healed 10 times in 24 h (about 10 a day): frequent healing hides a recurring fault; fix its main cause "stalled_batch" (7 of 10 events)',
    ]);
    expect(recommend([activity({ healing_type: 'batch_cleanup', events: 9, earlier_events: 5, later_events: 4 })], 24)).toEqual([]);
  });

  it('scales frequency to the window: 3 heals in one hour are frequent, 20 in a week are not', () => {
    expect(recommend([activity({ healing_type: 'retry', events: 3, earlier_events: 2, later_events: 1 })], 1)[0]).toContain('about 72 a day');
    expect(recommend([activity({ healing_type: 'retry', events: 20, earlier_events: 10, later_events: 10 })], 168)).toEqual([]);
  });

  it('calls a type rising when its second half has at least twice the events and 3 more', () => {
    expect(recommend([activity({ healing_type: 'retry', events: 6, earlier_events: 2, later_events: 4 })], 168)).toEqual([]);
    expect(recommend([activity({ healing_type: 'retry', events: 7, earlier_events: 2, later_events: 5 })], 168)).toEqual([
      'retry is rising: 2 events in the first half of the window, 5 in the second; find what changed',
    ]);
  });

  it('quotes a type name that a shell would split', () => {
    expect(recommend([activity({ healing_type: "odd type's", failures: 2 })], 24)[0]).toContain(`--type 'odd type'\\''s' --export odd_type_s.csv`);
  });
});
