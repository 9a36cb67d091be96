import type { KnownBlock } from '@slack/types';
import { clip } from '../clip.js';
import { describeStallRecommendation, prematureRate, type StallRecommendation } from '../stallRecommendation.js';
import type { AlertLevel, PatternCounts, VerdictCounts } from './alertLevel.js';
import type { DueAlert } from './alertPlan.js';
import type { AlertKind } from './AlertState.js';
import type { BrakeDetail } from './alertStateDocument.js';
import { BLOCK_KIT_LIMITS, context, escapeMrkdwn, fieldSections, fitMessage, header, listSection, oneLine, section } from './blockKit.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface RecentEvent {
  healing_id: string;
  timestamp: Date;
  trigger_reason: string;
  success: boolean;
}

/** Where an engineer looks next: the CLI command and the BigQuery table. */
export interface Investigation {
  healingType: string;
  /** `project.dataset.table` of the healing events. */
  table: string;
}

const LEVEL_TITLE: Record<AlertLevel, string> = {
  yellow: ':warning: YELLOW',
  red: ':red_circle: RED',
  critical: ':rotating_light: CRITICAL',
};

const LEVEL_MEANING: Record<AlertLevel, string> = {
  yellow: 'Healing is frequent this hour. Something upstream keeps stalling.',
  red: 'Healing is frequent all day: a systemic problem is being masked by self-healing.',
  critical: 'Healing itself is failing. Batches may stay stuck until someone acts.',
};

/** A type name in a one-line summary; the header and fields carry more of it. */
const NAME_IN_TEXT = 80;
/** Room the recent events share in their section, leaving space for the title and `and N more`. */
const LIST_ROOM = BLOCK_KIT_LIMITS.sectionText - 300;
const MAX_REASON_LINE = 600;
const MAX_LINES = 20;
const MAX_ID_LENGTH = 120;

export interface AlertMessageOptions {
  /** When the alert was first raised, for one an earlier run could not deliver: the message says so. */
  raisedAt?: Date;
}

export function alertMessage(level: AlertLevel, healingType: string, counts: PatternCounts, recent: RecentEvent[], investigation: Investigation, options: AlertMessageOptions = {}): SlackMessage {
  const failureRate = counts.lastDay === 0 ? 0 : counts.failuresLastDay / counts.lastDay;
  return fitMessage({
    text: `${LEVEL_TITLE[level]}: ${nameInText(healingType)} healed ${counts.lastHour} times in 1 h, ${counts.lastDay} in 24 h`,
    blocks: [
      header(`${LEVEL_TITLE[level]} alert: ${healingType}`),
      section(escapeMrkdwn(LEVEL_MEANING[level])),
      ...fieldSections([
        { label: 'Level', value: level },
        { label: 'Healing type', value: healingType },
        { label: 'Last hour', value: String(counts.lastHour) },
        { label: 'Last 24 hours', value: String(counts.lastDay) },
        { label: 'Failures (24 h)', value: `${counts.failuresLastDay} (${percent(failureRate)})` },
      ]),
      recentEventsSection(recent),
      ...raisedEarlier(options),
      ...investigateSections(investigation),
    ],
  });
}

const PREMATURE_TITLE = ':hourglass_flowing_sand: PREMATURE';

/**
 * Too many heals of a type were premature: their batches got players after the heal declared them
 * complete. Names the rate, the late players and the STALL_MINUTES that would have avoided them.
 */
export function prematureMessage(
  healingType: string,
  verdicts: VerdictCounts,
  recommendation: StallRecommendation | null,
  currentStallMinutes: number,
  investigation: Investigation,
  options: AlertMessageOptions = {},
): SlackMessage {
  const rate = percent(prematureRate(verdicts.held, verdicts.premature) ?? 0);
  const judged = verdicts.held + verdicts.premature;
  const advice =
    recommendation === null
      ? `Too few premature heals with a known silence to recommend a STALL_MINUTES (now ${currentStallMinutes}).`
      : `${capitalized(describeStallRecommendation(recommendation))}.`;
  return fitMessage({
    text: `${PREMATURE_TITLE}: ${nameInText(healingType)} ${verdicts.premature} of ${judged} heals premature (${rate}) in 24 h, ${verdicts.latePlayers} late players`,
    blocks: [
      header(`${PREMATURE_TITLE} heals: ${healingType}`),
      section(escapeMrkdwn('Heals declared batches complete while their workers were still writing: whatever read those batches as complete missed the late players.')),
      ...fieldSections([
        { label: 'Level', value: 'premature' },
        { label: 'Healing type', value: healingType },
        { label: 'Premature (24 h)', value: `${verdicts.premature} of ${judged} held or premature (${rate})` },
        { label: 'Late players', value: String(verdicts.latePlayers) },
        { label: 'STALL_MINUTES', value: recommendation === null ? `${currentStallMinutes} (no recommendation)` : `${currentStallMinutes}, recommended ${recommendation.recommended_minutes}` },
      ]),
      section(escapeMrkdwn(advice)),
      ...raisedEarlier(options),
      ...investigateSections(investigation),
    ],
  });
}

/** An alert named in a roll-up: its type, kind and the figure that raised it. */
export type RolledUpAlert = DueAlert;

const KIND_NAME: Record<AlertKind, string> = { safety_brake: 'SAFETY BRAKE', critical: 'CRITICAL', red: 'RED', premature: 'PREMATURE', yellow: 'YELLOW' };

/**
 * The alerts of a run past its message limit, in one message: how many, each named with its kind
 * and figures, in the order given (worst first). They count as sent.
 */
export function rollUpMessage(alerts: readonly RolledUpAlert[], maxMessages: number, table: string): SlackMessage {
  const tally = new Map<AlertKind, number>();
  for (const alert of alerts) tally.set(alert.kind, (tally.get(alert.kind) ?? 0) + 1);
  const byKind = [...tally].map(([kind, count]) => `${count} ${KIND_NAME[kind].toLowerCase()}`).join(', ');
  const lines = alerts.map((alert) => `• *${KIND_NAME[alert.kind]}* \`${escapeMrkdwn(clip(oneLine(alert.healingType), MAX_ID_LENGTH, { noun: 'name' }))}\` ${escapeMrkdwn(figures(alert))}`);
  const sql = `SELECT healing_type, COUNT(*) AS events, COUNTIF(NOT success) AS failures FROM \`${table}\` WHERE timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR) GROUP BY healing_type ORDER BY events DESC LIMIT 50`;
  return fitMessage({
    text: `:warning: ${alerts.length} more alerts this run: ${byKind}`,
    blocks: [
      header(`:warning: ${alerts.length} more alerts this run`),
      section(
        escapeMrkdwn(
          `At most ${maxMessages} alert messages go out in one run. These healing types also reached an alert level (${byKind}); they count as sent and are not posted again within the hour.`,
        ),
      ),
      listSection('Worst first', lines, { maxLines: 40, maxLineLength: 200 }),
      section(`*Investigate*\n\`\`\`analyze-healing\`\`\``),
      section(`\`\`\`${escapeMrkdwn(sql)}\`\`\``),
    ],
  });
}

export interface RunSummary {
  healedIds: string[];
  failedIds: string[];
  skippedMalformed: number;
  counts: PatternCounts;
  execution: string;
}

export function runSummaryMessage(summary: RunSummary, investigation: Investigation): SlackMessage {
  const blocks: KnownBlock[] = [
    header('auto-batch-cleanup run summary'),
    ...fieldSections([
      { label: 'Healed', value: String(summary.healedIds.length) },
      { label: 'Failed', value: String(summary.failedIds.length) },
      { label: 'Skipped as malformed', value: String(summary.skippedMalformed) },
      { label: `${investigation.healingType} in 1 h / 24 h`, value: `${summary.counts.lastHour} / ${summary.counts.lastDay}` },
    ]),
  ];
  if (summary.healedIds.length > 0) blocks.push(idsSection('Healed batches', summary.healedIds));
  if (summary.failedIds.length > 0) blocks.push(idsSection('Failed to heal', summary.failedIds));
  blocks.push(context([escapeMrkdwn(`Run: ${summary.execution}`)]), ...investigateSections(investigation));
  return fitMessage({
    text: `auto-batch-cleanup healed ${summary.healedIds.length}, failed ${summary.failedIds.length}, skipped ${summary.skippedMalformed} malformed`,
    blocks,
  });
}

export function safetyBrakeMessage({ stalled, limit, sampleIds }: BrakeDetail, investigation: Investigation, options: AlertMessageOptions = {}): SlackMessage {
  return fitMessage({
    text: `:rotating_light: CRITICAL: ${stalled} stalled batches exceed MAX_HEALS_PER_RUN (${limit}); healed none`,
    blocks: [
      header(':rotating_light: CRITICAL: safety brake'),
      section(
        escapeMrkdwn(
          `${stalled} batches are stalled, more than MAX_HEALS_PER_RUN (${limit}). That is an outage, not a straggler: nothing was healed. Find why the pipeline stopped before healing anything.`,
        ),
      ),
      ...fieldSections([
        { label: 'Level', value: 'critical' },
        { label: 'Healing type', value: investigation.healingType },
      ]),
      idsSection(`Sample of stalled batches (${sampleIds.length} of ${stalled})`, sampleIds),
      ...raisedEarlier(options),
      ...investigateSections(investigation),
    ],
  });
}

function nameInText(healingType: string): string {
  return escapeMrkdwn(clip(oneLine(healingType), NAME_IN_TEXT, { noun: 'name' }));
}

/** One line per event; every reason is shortened alike so that all of them fit in the section. */
function recentEventsSection(recent: RecentEvent[]): KnownBlock {
  const maxLineLength = Math.min(MAX_REASON_LINE, Math.floor(LIST_ROOM / Math.max(1, Math.min(recent.length, MAX_LINES))) - 1);
  const lines = recent.map((event) => `• ${event.timestamp.toISOString()} ${event.success ? '' : '*FAILED* '}${escapeMrkdwn(oneLine(event.trigger_reason))}`);
  return listSection('Recent events', lines, { maxLines: MAX_LINES, maxLineLength, noun: 'reason' });
}

function idsSection(title: string, ids: string[]): KnownBlock {
  const lines = ids.map((id) => `\`${escapeMrkdwn(clip(oneLine(id), MAX_ID_LENGTH, { noun: 'id' }))}\``);
  return listSection(title, lines, { maxLines: MAX_LINES });
}

function investigateSections({ healingType, table }: Investigation): KnownBlock[] {
  const command = `analyze-healing --type ${shellQuoted(healingType)}`;
  const sql = `SELECT timestamp, trigger_reason, root_cause, success FROM \`${table}\` WHERE healing_type = '${healingType.replace(/[\\']/g, '\\$&')}' AND timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR) ORDER BY timestamp DESC LIMIT 20`;
  return [section(`*Investigate*\n\`\`\`${escapeMrkdwn(command)}\`\`\``), section(`\`\`\`${escapeMrkdwn(sql)}\`\`\``)];
}

/** Quoted for a POSIX shell: inside single quotes only `'` needs care. */
function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** For an alert an earlier run could not deliver: when it was first raised, and that it is rebuilt now. */
function raisedEarlier({ raisedAt }: AlertMessageOptions): KnownBlock[] {
  if (raisedAt === undefined) return [];
  return [context([escapeMrkdwn(`First raised ${raisedAt.toISOString()}; not delivered then. Rebuilt from the healing events now.`)])];
}

function figures({ kind, counts, verdicts }: RolledUpAlert): string {
  if (kind === 'premature' && verdicts !== undefined) return `${verdicts.premature} of ${verdicts.held + verdicts.premature} heals premature`;
  if (counts !== undefined) return `${counts.lastHour} in 1 h, ${counts.lastDay} in 24 h, ${counts.failuresLastDay} failed`;
  return '';
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
