import { blockKitViolations } from '../../test/support/blockKitLimits.js';
import type { PatternCounts } from './alertLevel.js';
import { alertMessage, prematureMessage, type RolledUpAlert, rollUpMessage, runSummaryMessage, safetyBrakeMessage, type Investigation, type RecentEvent, type SlackMessage } from './slackMessages.js';

const LONG_TYPE = `pipeline_${'very_long_healing_type_name_'.repeat(5)}`.padEnd(140, 'x');
const counts: PatternCounts = { lastHour: 6, lastDay: 14, failuresLastDay: 4 };
const investigation = (healingType: string): Investigation => ({ healingType, table: 'local-healing.nba_orchestration.healing_events' });

function traceback(length: number, index: number): string {
  const frames = Array.from({ length: 60 }, (_, frame) => `  File "/srv/app/odds_${frame}.py", line ${100 + frame}, in fetch\n    response = session.get(url) <&>`).join('\n');
  return `Traceback ${index} (most recent call last):\n${frames}`.slice(0, length - 40) + `\nHTTPError: HTTP 503 for game ${index}`.padEnd(40);
}

function recentEvents(count: number, reasonLength: number): RecentEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    healing_id: `h${index}`,
    timestamp: new Date(Date.UTC(2026, 10, 23, 11, index)),
    trigger_reason: traceback(reasonLength, index),
    success: index % 2 === 0,
  }));
}

const LONG_IDS = Array.from({ length: 25 }, (_, index) => `batch-${index}-${'0123456789'.repeat(30)}`.slice(0, 300));

function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

describe('Slack messages from the longest inputs stay within Block Kit limits', () => {
  it.each([
    ['700-character reasons', 5, 700],
    ['2,000-character tracebacks', 6, 2000],
    ['twenty 2,000-character tracebacks', 20, 2000],
  ])('alert with a 140-character type name and %s', (_, count, length) => {
    const message = alertMessage('red', LONG_TYPE, counts, recentEvents(count, length), investigation(LONG_TYPE));
    expect(blockKitViolations(message)).toEqual([]);
    const recent = message.blocks.find((block) => block.type === 'section' && block.text?.text.startsWith('*Recent events*'));
    const lines = (recent as { text: { text: string } }).text.text.split('\n').slice(1);
    expect(lines).toHaveLength(count);
    for (const line of lines) expect(line).toMatch(/… \(reason shortened, [\d,]+ characters cut\)$/);
  });

  it('alert for every level with a type name of 140 characters: header cut, saying how much', () => {
    for (const level of ['yellow', 'red', 'critical'] as const) {
      const message = alertMessage(level, LONG_TYPE, counts, recentEvents(5, 700), investigation(LONG_TYPE));
      expect(blockKitViolations(message)).toEqual([]);
      const header = message.blocks[0] as { type: string; text: { text: string } };
      expect(header.type).toBe('header');
      expect(header.text.text).toMatch(/… \(\d+ characters cut\)$/);
      expect(allText(message)).toContain(LONG_TYPE);
    }
  });

  it('alert text is one readable line naming level, type and counts', () => {
    const message = alertMessage('red', LONG_TYPE, counts, recentEvents(5, 700), investigation(LONG_TYPE));
    expect(message.text).not.toContain('\n');
    expect(message.text).toMatch(/^:red_circle: RED: pipeline_very_long.*… \(name shortened, \d+ characters cut\) healed 6 times in 1 h, 14 in 24 h$/);
    expect(message.text.length).toBeLessThan(200);
  });

  it('run summary listing 25 ids of 300 characters: ids shortened, "and N more"', () => {
    const message = runSummaryMessage({ healedIds: LONG_IDS, failedIds: LONG_IDS, skippedMalformed: 2, counts, execution: 'x'.repeat(5000) }, investigation(LONG_TYPE));
    expect(blockKitViolations(message)).toEqual([]);
    const text = allText(message);
    expect(text).toMatch(/id shortened, \d+ characters cut/);
    expect(text).toMatch(/\\nand \d+ more/);
    expect(message.text).toBe('auto-batch-cleanup healed 25, failed 25, skipped 2 malformed');
  });

  it('run summary with a few short ids shows all of them', () => {
    const message = runSummaryMessage({ healedIds: ['sum-a', 'sum-b'], failedIds: [], skippedMalformed: 1, counts, execution: 'exec-1' }, investigation('batch_cleanup'));
    expect(blockKitViolations(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('`sum-a`');
    expect(text).toContain('`sum-b`');
    expect(text).not.toContain('more');
  });

  it('safety brake with 25 sample ids of 300 characters', () => {
    const message = safetyBrakeMessage({ stalled: 5000, limit: 25, sampleIds: LONG_IDS }, investigation(LONG_TYPE));
    expect(blockKitViolations(message)).toEqual([]);
    expect(allText(message)).toContain('Sample of stalled batches (25 of 5000)');
    expect(message.text).toBe(':rotating_light: CRITICAL: 5000 stalled batches exceed MAX_HEALS_PER_RUN (25); healed none');
  });

  it('escapes outside text for mrkdwn and quotes the type for the shell and for SQL', () => {
    const type = "o'brien <&> type";
    const message = alertMessage('yellow', type, counts, [{ healing_id: 'h', timestamp: new Date(0), trigger_reason: 'a <b> & c', success: false }], investigation(type));
    const text = allText(message);
    expect(text).toContain('*FAILED* a &lt;b&gt; &amp; c');
    expect(text).toContain(`analyze-healing --type 'o'\\\\''brien &lt;&amp;&gt; type'`);
    expect(text).toContain(`healing_type = 'o\\\\'brien &lt;&amp;&gt; type'`);
  });
});

const HOSTILE = '<!channel> <https://evil.example|runbook> & co';
const recommendation = { current_minutes: 15, recommended_minutes: 32, premature_avoided: 9, premature_total: 10, added_minutes_per_heal: 17 };

describe('premature, roll-up and rebuilt alerts', () => {
  it('premature names the rate, the late players and the recommended STALL_MINUTES', () => {
    const message = prematureMessage('batch_cleanup', { held: 14, premature: 6, latePlayers: 23 }, recommendation, 15, investigation('batch_cleanup'));
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.text).toBe(':hourglass_flowing_sand: PREMATURE: batch_cleanup 6 of 20 heals premature (30.0%) in 24 h, 23 late players');
    const text = allText(message);
    expect(text).toContain('23');
    expect(text).toContain('15, recommended 32');
    expect(text).toContain('Raising STALL_MINUTES from 15 to 32 would have avoided 9 of 10 premature heals');
  });

  it('premature without enough heals for a recommendation says so', () => {
    const message = prematureMessage('batch_cleanup', { held: 0, premature: 5, latePlayers: 5 }, null, 15, investigation('batch_cleanup'));
    expect(allText(message)).toContain('Too few premature heals with a known silence to recommend a STALL_MINUTES (now 15)');
  });

  it('a roll-up of 290 alerts with 2,000-character names: how many, worst first as given, within the limits', () => {
    const alerts: RolledUpAlert[] = Array.from({ length: 290 }, (_, index) => ({
      healingType: `${index}_${'n'.repeat(2_000)}`,
      kind: index < 3 ? 'critical' : index < 13 ? 'red' : 'yellow',
      counts: { lastHour: 3, lastDay: 12, failuresLastDay: index < 3 ? 9 : 0 },
    }));
    const message = rollUpMessage(alerts, 10, 'p.d.t');
    expect(blockKitViolations(message)).toEqual([]);
    expect(message.text).toBe(':warning: 290 more alerts this run: 3 critical, 10 red, 277 yellow');
    const list = (message.blocks.find((block) => block.type === 'section' && block.text?.text.startsWith('*Worst first*')) as { text: { text: string } }).text.text;
    expect(list.split('\n')[1]).toMatch(/^• \*CRITICAL\* `0_n+… \(name shortened, [\d,]+ characters cut\)` 3 in 1 h, 12 in 24 h, 9 failed$/);
    expect(list).toMatch(/\nand \d+ more$/);
  });

  it('a safety brake rebuilt from its figures says when it was first raised', () => {
    const message = safetyBrakeMessage({ stalled: 40, limit: 25, sampleIds: ['b-1'] }, investigation('batch_cleanup'), { raisedAt: new Date('2026-11-23T11:45:00Z') });
    expect(blockKitViolations(message)).toEqual([]);
    expect(allText(message)).toContain('First raised 2026-11-23T11:45:00.000Z; not delivered then');
  });

  it('never posts a mention or a link from a type name, a reason or an id unescaped, in any message', () => {
    const counts = { lastHour: 3, lastDay: 12, failuresLastDay: 1 };
    const messages = [
      alertMessage('red', HOSTILE, counts, [{ healing_id: HOSTILE, timestamp: new Date(0), trigger_reason: HOSTILE, success: false }], investigation(HOSTILE), { raisedAt: new Date(0) }),
      prematureMessage(HOSTILE, { held: 1, premature: 5, latePlayers: 2 }, recommendation, 15, investigation(HOSTILE)),
      rollUpMessage([{ healingType: HOSTILE, kind: 'red', counts }], 10, 'p.d.t'),
      safetyBrakeMessage({ stalled: 40, limit: 25, sampleIds: [HOSTILE] }, investigation(HOSTILE)),
    ];
    for (const message of messages) {
      expect(blockKitViolations(message)).toEqual([]);
      expect(allText(message)).not.toMatch(/<!channel>|<https:|& co/);
      expect(allText(message)).toContain('&lt;!channel&gt;');
    }
  });
});
