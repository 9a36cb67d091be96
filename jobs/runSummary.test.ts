import { jobTestConfig } from '../test/support/emulators.js';
import { allHealsSkippedLocked, emptySummary, exitCodeOf } from './runSummary.js';

describe('a run whose heals were skipped as locked', () => {
  const summary = (counts: Partial<ReturnType<typeof emptySummary>>) => ({ ...emptySummary(jobTestConfig('unit')), ...counts });

  it('exits 0, and says so when every heal it tried was skipped that way', () => {
    const allLocked = summary({ stalled: 3, skipped_locked: 3 });
    expect(exitCodeOf(allLocked, false)).toBe(0);
    expect(allHealsSkippedLocked(allLocked)).toBe(true);
  });

  it('does not single it out when some heal was done, failed or found its batch changed', () => {
    expect(allHealsSkippedLocked(summary({ skipped_locked: 2, healed: 1 }))).toBe(false);
    expect(allHealsSkippedLocked(summary({ skipped_locked: 2, skipped_changed: 1 }))).toBe(false);
    expect(allHealsSkippedLocked(summary({ skipped_locked: 1, failed: 1 }))).toBe(false);
    expect(allHealsSkippedLocked(summary({}))).toBe(false);
  });
});
