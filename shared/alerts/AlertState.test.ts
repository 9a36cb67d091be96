import { AlertState } from './AlertState.js';

const t0 = new Date('2026-11-23T10:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describe('alert state', () => {
  it('sends the same level once an hour', () => {
    const sent = new AlertState().withSent('yellow', t0);
    expect(sent.shouldSend('yellow', minutes(59))).toBe(false);
    expect(sent.shouldSend('yellow', minutes(60))).toBe(true);
  });

  it('sends an escalation at once but holds a lower level after a higher one', () => {
    const yellow = new AlertState().withSent('yellow', t0);
    expect(yellow.shouldSend('red', minutes(1))).toBe(true);
    const red = yellow.withSent('red', minutes(1));
    expect(red.shouldSend('yellow', minutes(30))).toBe(false);
    expect(red.shouldSend('critical', minutes(2))).toBe(true);
  });

  it('keeps the safety brake apart from the frequency levels', () => {
    const critical = new AlertState().withSent('critical', t0);
    expect(critical.shouldSend('safety_brake', minutes(1))).toBe(true);
    expect(critical.withSent('safety_brake', minutes(1)).shouldSend('safety_brake', minutes(30))).toBe(false);
  });

  it('survives a round trip through JSON, as it does between job runs', () => {
    const state = new AlertState().withSent('red', t0);
    const restored = new AlertState(JSON.parse(JSON.stringify(state)));
    expect(restored.shouldSend('red', minutes(10))).toBe(false);
    expect(restored.toJSON()).toEqual({ red: t0.toISOString() });
  });
});

describe('the premature alert', () => {
  it('is gated on its own: a red alert in the same hour does not hold it, and it does not hold red', () => {
    const red = new AlertState().withSent('red', t0);
    expect(red.shouldSend('premature', minutes(5))).toBe(true);
    const both = red.withSent('premature', minutes(5));
    expect(both.shouldSend('premature', minutes(64))).toBe(false);
    expect(both.shouldSend('premature', minutes(65))).toBe(true);
    expect(new AlertState().withSent('premature', t0).shouldSend('red', minutes(1))).toBe(true);
  });
});
