import type { KnownBlock } from '@slack/types';
import { clip } from '../clip.js';
import type { AlertLevel, PatternCounts } from './alertLevel.js';
import { BLOCK_KIT_LIMITS, context, escapeMrkdwn, fieldSections, fitMessage, header, listSection, section } from './blockKit.js';

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

export function alertMessage(level: AlertLevel, healingType: string, counts: PatternCounts, recent: RecentEvent[], investigation: Investigation): SlackMessage {
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
        { label: 'Failures (24 h)', value: `${counts.failuresLastDay} (${(failureRate * 100).toFixed(1)}%)` },
      ]),
      recentEventsSection(recent),
      ...investigateSections(investigation),
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

export function safetyBrakeMessage(stalled: number, limit: number, sampleIds: string[], investigation: Investigation): SlackMessage {
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

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
