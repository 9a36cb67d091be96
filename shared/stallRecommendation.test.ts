import { describeStallRecommendation, prematureRate, recommendStallMinutes } from './stallRecommendation.js';

const heal = (stall: number, after: number) => ({ stall_minutes: stall, progress_after_minutes: after });

describe('recommendStallMinutes', () => {
  test('makes no recommendation from fewer than 3 premature heals', () => {
    expect(recommendStallMinutes([heal(15, 2), heal(16, 3)], 15)).toBeNull();
  });

  test('picks the smallest whole minute above the silence of 9 of 10 heals', () => {
    // Silences 16..24 and one outlier at 95: 90% of 10 is 9 heals, the 9th longest silence is 24.
    const heals = [...Array.from({ length: 9 }, (_, i) => heal(15, 1 + i)), heal(15, 80)];
    expect(recommendStallMinutes(heals, 15)).toEqual({
      current_minutes: 15,
      recommended_minutes: 25,
      premature_avoided: 9,
      premature_total: 10,
      added_minutes_per_heal: 10,
    });
  });

  test('a rule equal to the silence does not avoid the heal: it must be longer', () => {
    const recommendation = recommendStallMinutes([heal(15, 5), heal(15, 5), heal(15, 5)], 15);
    expect(recommendation?.recommended_minutes).toBe(21);
    expect(recommendation?.premature_avoided).toBe(3);
  });

  test('fractional silences round up to the next whole minute', () => {
    expect(recommendStallMinutes([heal(15.2, 0.3), heal(15.4, 0.5), heal(15.1, 0.1)], 15)?.recommended_minutes).toBe(16);
  });

  test('every heal must be avoided when 90% of them rounds up to all (3 heals)', () => {
    expect(recommendStallMinutes([heal(15, 1), heal(15, 2), heal(15, 30)], 15)?.recommended_minutes).toBe(46);
  });

  test('ignores heals whose numbers are not usable', () => {
    expect(recommendStallMinutes([heal(15, Number.NaN), heal(15, 1), heal(15, 2)], 15)).toBeNull();
  });
});

describe('prematureRate', () => {
  test('is premature over held plus premature, null with neither', () => {
    expect(prematureRate(9, 1)).toBe(0.1);
    expect(prematureRate(0, 3)).toBe(1);
    expect(prematureRate(0, 0)).toBeNull();
  });
});

describe('describeStallRecommendation', () => {
  test('says the change, the heals avoided and the wait it adds', () => {
    expect(
      describeStallRecommendation({ current_minutes: 15, recommended_minutes: 32, premature_avoided: 9, premature_total: 10, added_minutes_per_heal: 17 }),
    ).toBe('raising STALL_MINUTES from 15 to 32 would have avoided 9 of 10 premature heals; every heal would wait 17 minutes longer');
  });
});
