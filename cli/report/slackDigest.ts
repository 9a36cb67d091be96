import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { context, escapeMrkdwn, fieldSections, fitMessage, header, listSection, section, type Field } from '../../shared/alerts/blockKit.js';
import type { SlackMessage } from '../../shared/alerts/slackMessages.js';
import type { HealingReport } from '../analysis/healingReport.js';
import { changeText, count, describeLength, describeMinutes, percent, shortTime } from '../wording.js';

/** Types shown as fields (three sections); the rest are counted in one line. */
export const MAX_DIGEST_TYPES = 30;

/**
 * The report as one Block Kit message: totals and success rate, time to heal, each type, heal verdicts,
 * top causes, the changes against the previous window, recommendations. Built only from the shared Block Kit
 * helpers, so every text from events is escaped and every block fits Slack's limits.
 */
export function slackDigest(report: HealingReport): SlackMessage {
  const { window, totals } = report;
  const length = describeLength(DateTime.fromISO(window.end).diff(DateTime.fromISO(window.start)).as('milliseconds'));
  const only = report.filter.healing_type === null ? '' : ` (${report.filter.healing_type})`;
  const total = report.changes?.find((change) => change.scope === 'total');
  const rate = totals.success_rate === null ? 'no events' : `${percent(totals.success_rate)} succeeded`;
  const summary = [
    `*${count(totals.events)} healing events*, ${count(totals.failures)} failed: ${rate}`,
    total === undefined ? '' : `${changeText(total)} against the previous ${length} (${count(total.previous)} then)`,
    report.time_to_heal === null
      ? 'Time to heal (batch_cleanup): no successful heals'
      : `Time to heal (batch_cleanup): median ${describeMinutes(report.time_to_heal.median_minutes)}, p95 ${describeMinutes(report.time_to_heal.p95_minutes)} over ${count(report.time_to_heal.heals)} heals`,
  ].filter((line) => line !== '');
  const verdictLines = report.verdicts.map((verdict) => {
    const then = report.previous?.verdicts.find((previous) => previous.healing_type === verdict.healing_type);
    const before = report.previous === undefined ? '' : ` (${then?.premature_rate == null ? '-' : percent(then.premature_rate)} in the previous ${length})`;
    const rate = verdict.premature_rate === null ? '-' : percent(verdict.premature_rate);
    return (
      `${escapeMrkdwn(verdict.healing_type)}: ${rate} premature${before}, ${count(verdict.premature)} of ${count(verdict.held + verdict.premature)} heals, ` +
      `${count(verdict.late_players)} late players; ${count(verdict.open)} without a verdict yet`
    );
  });

  const typeChange = new Map((report.changes ?? []).filter((change) => change.scope === 'type').map((change) => [change.name!, change]));
  const typeFields: Field[] = report.by_type.slice(0, MAX_DIGEST_TYPES).map((type) => {
    const change = typeChange.get(type.healing_type);
    const lines = [
      `${count(type.events)} events, ${type.success_rate === null ? '-' : percent(type.success_rate)} succeeded`,
      change === undefined ? '' : `${changeText(change)} against the previous ${length}`,
      type.top_cause === null ? '' : `main cause: ${type.top_cause}`,
    ];
    return { label: type.healing_type, value: lines.filter((line) => line !== '').join('\n') };
  });
  const gone = [...typeChange.values()].filter((change) => change.current === 0);

  const blocks: KnownBlock[] = [
    header(`Healing digest${only}: ${totals.events === 0 ? 'no events' : `${count(totals.events)} events`} in the ${length} to ${shortTime(window.end, window.tz)} ${window.tz}`),
    section(summary.join('\n')),
  ];
  if (typeFields.length > 0) blocks.push(...fieldSections(typeFields));
  if (report.by_type.length > MAX_DIGEST_TYPES) blocks.push(context([`and ${count(report.by_type.length - MAX_DIGEST_TYPES)} more healing types`]));
  if (gone.length > 0) blocks.push(listSection('No events any more', gone.map((change) => `${escapeMrkdwn(change.name!)}: ${count(change.previous)} in the previous ${length}`)));
  if (verdictLines.length > 0) blocks.push(listSection('Heal verdicts', verdictLines, { maxLines: 10, maxLineLength: 400 }));
  if (report.top_causes.length > 0) {
    blocks.push(
      listSection(
        'Top causes',
        report.top_causes.map((cause, index) => `${index + 1}. ${escapeMrkdwn(cause.cause)}: ${count(cause.events)} events, ${count(cause.failures)} failed`),
      ),
    );
  }
  if (report.changes !== undefined) {
    const moved = report.changes.filter((change) => change.scope !== 'total' && change.change !== 0);
    blocks.push(
      listSection(
        `Against the previous ${length}`,
        moved.map((change) => `${change.scope === 'cause' ? 'cause ' : ''}${escapeMrkdwn(change.name!)}: ${count(change.previous)} → ${count(change.current)} (${changeText(change)})`),
        { maxLines: 15, maxLineLength: 300 },
      ),
    );
  }
  blocks.push(listSection('Recommendations', report.recommendations.map((advice) => `• ${escapeMrkdwn(advice)}`), { maxLines: 10, maxLineLength: 400 }));
  blocks.push(
    context([
      `Window ${escapeMrkdwn(shortTime(window.start, window.tz))} to ${escapeMrkdwn(shortTime(window.end, window.tz))} (${escapeMrkdwn(window.tz)})`,
      `Details: \`analyze-healing --start ${window.start} --end ${window.end} --compare --html healing.html\``,
    ]),
  );
  return fitMessage({ text: `Healing digest${only}: ${count(totals.events)} events, ${rate}, in the ${length} to ${shortTime(window.end, window.tz)} ${window.tz}`, blocks });
}
