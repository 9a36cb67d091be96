import { type DueAlert, planMessages } from './alertPlan.js';

const counts = (lastDay: number) => ({ lastHour: 3, lastDay, failuresLastDay: 0 });

describe('which alerts of a run get a message of their own', () => {
  it('gives the ten worst one message each and rolls up the rest, worst first', () => {
    const alerts: DueAlert[] = [
      ...Array.from({ length: 20 }, (_, i): DueAlert => ({ healingType: `yellow_${String(i).padStart(2, '0')}`, kind: 'yellow', counts: counts(3 + i) })),
      { healingType: 'zz_critical', kind: 'critical', counts: counts(5) },
      { healingType: 'batch_cleanup', kind: 'premature', verdicts: { held: 0, premature: 6, latePlayers: 9 } },
      { healingType: 'batch_cleanup', kind: 'safety_brake' },
      { healingType: 'aa_red', kind: 'red', counts: counts(12) },
    ];
    const { own, rolledUp } = planMessages(alerts, 10);
    expect(own.map((alert) => `${alert.kind}:${alert.healingType}`)).toEqual([
      'safety_brake:batch_cleanup',
      'critical:zz_critical',
      'red:aa_red',
      'premature:batch_cleanup',
      'yellow:yellow_19',
      'yellow:yellow_18',
      'yellow:yellow_17',
      'yellow:yellow_16',
      'yellow:yellow_15',
      'yellow:yellow_14',
    ]);
    expect(rolledUp).toHaveLength(14);
    expect(rolledUp[0]!.healingType).toBe('yellow_13');
    expect(rolledUp.at(-1)!.healingType).toBe('yellow_00');
  });

  it('sends every alert alone when there are at most ten', () => {
    const alerts: DueAlert[] = Array.from({ length: 10 }, (_, i) => ({ healingType: `t${i}`, kind: 'yellow', counts: counts(3) }));
    expect(planMessages(alerts, 10).rolledUp).toEqual([]);
  });
});
