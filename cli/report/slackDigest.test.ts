import { blockKitViolations } from '../../test/support/blockKitLimits.js';
import type { Change } from '../analysis/comparison.js';
import type { HealingReport } from '../analysis/healingReport.js';
import { slackDigest } from './slackDigest.js';

const typeName = (index: number) => `${String(index).padStart(2, '0')}_${'t'.repeat(137)}`;
const cause = (index: number) => `${index} <!channel> & ${'c'.repeat(2000)}`;

/** The longest inputs: 60 types with 140-character names, 2,000-character causes, a change for each. */
function hugeReport(): HealingReport {
  const types = Array.from({ length: 60 }, (_, index) => typeName(index));
  const changes: Change[] = [
    { scope: 'total', name: null, previous: 6000, current: 12000, change: 6000, change_pct: 100 },
    ...types.map((name, index): Change => ({ scope: 'type', name, previous: index % 2 === 0 ? 0 : 100, current: 200, change: 100, change_pct: null })),
    ...Array.from({ length: 50 }, (_, index): Change => ({ scope: 'cause', name: cause(index), previous: 1, current: 3, change: 2, change_pct: 200 })),
  ];
  return {
    window: { start: '2026-04-08T00:00:00Z', end: '2026-04-15T00:00:00Z', tz: 'UTC', bucket: 'day' },
    filter: { healing_type: null },
    totals: { events: 12000, successes: 11000, failures: 1000, success_rate: 11 / 12 },
    by_type: types.map((healing_type) => ({ healing_type, events: 200, successes: 180, failures: 20, success_rate: 0.9, top_cause: cause(1) })),
    top_causes: Array.from({ length: 50 }, (_, index) => ({ cause: cause(index), events: 3, failures: 1 })),
    time_to_heal: { heals: 11000, median_minutes: 17.5, p95_minutes: 480 },
    verdicts: types.map((healing_type) => ({ healing_type, held: 150, premature: 20, gone: 5, undone: 1, open: 4, premature_rate: 20 / 170, late_players: 41 })),
    stall_recommendation: { current_minutes: 15, recommended_minutes: 32, premature_avoided: 18, premature_total: 20, added_minutes_per_heal: 17 },
    trend: [],
    previous: {
      window: { start: '2026-04-01T00:00:00Z', end: '2026-04-08T00:00:00Z', tz: 'UTC' },
      totals: { events: 6000, successes: 6000, failures: 0, success_rate: 1 },
      by_type: [],
      top_causes: [],
      time_to_heal: null,
      verdicts: [],
    },
    changes,
    recommendations: Array.from({ length: 200 }, (_, index) => `${typeName(index)} healed ${cause(index)}`),
  };
}

describe('Slack digest', () => {
  it('fits every Block Kit limit with the longest inputs', () => {
    const digest = slackDigest(hugeReport());
    expect(blockKitViolations(digest)).toEqual([]);
    // The same limits, spelled out: header 150, section text 3,000, field 2,000, 10 fields, 50 blocks, 10 context elements.
    expect(digest.blocks.length).toBeLessThanOrEqual(50);
    for (const block of digest.blocks as Array<Record<string, any>>) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.type === 'section' && block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(2000);
      }
      if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
    }
  });

  it('escapes text from events, so a cause cannot mention @channel', () => {
    const text = JSON.stringify(slackDigest(hugeReport()).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp;');
  });

  it('says how many types it left out past thirty', () => {
    const text = JSON.stringify(slackDigest(hugeReport()).blocks);
    expect(text).toContain('and 30 more healing types');
  });

  it('gives each type with verdicts a line: the premature rate now and before, late players, heals still open', () => {
    const report = hugeReport();
    const digest = slackDigest({
      ...report,
      verdicts: [{ healing_type: 'batch_cleanup', held: 21, premature: 10, gone: 1, undone: 1, open: 2, premature_rate: 10 / 31, late_players: 19 }],
      previous: { ...report.previous!, verdicts: [{ healing_type: 'batch_cleanup', held: 40, premature: 2, gone: 0, undone: 0, open: 0, premature_rate: 2 / 42, late_players: 3 }] },
    });
    const verdicts = (digest.blocks as Array<{ text?: { text: string } }>).find((block) => block.text?.text.startsWith('*Heal verdicts*'));
    expect(verdicts?.text?.text).toBe(
      '*Heal verdicts*\nbatch_cleanup: 32.3% premature (4.8% in the previous 7 days), 10 of 31 heals, 19 late players; 2 without a verdict yet',
    );
  });

  it('leads with the totals, the success rate and the change', () => {
    const digest = slackDigest(hugeReport());
    expect(digest.text).toBe('Healing digest: 12,000 events, 91.7% succeeded, in the 7 days to 2026-04-15 00:00 UTC');
    expect(JSON.stringify(digest.blocks[0])).toContain('Healing digest: 12,000 events in the 7 days to 2026-04-15 00:00 UTC');
    expect(JSON.stringify(digest.blocks[1])).toContain('+6,000 (+100.0%) against the previous 7 days (6,000 then)');
  });
});
