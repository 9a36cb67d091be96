import type { KnownBlock } from '@slack/types';
import type { AlertLevel, PatternCounts } from './alertLevel.js';

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

export function alertMessage(level: AlertLevel, healingType: string, counts: PatternCounts, recent: RecentEvent[], investigation: Investigation): SlackMessage {
  const failureRate = counts.lastDay === 0 ? 0 : counts.failuresLastDay / counts.lastDay;
  const title = `${LEVEL_TITLE[level]}: ${healingType} healed ${counts.lastHour} times in 1 h, ${counts.lastDay} in 24 h`;
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${LEVEL_TITLE[level]} alert: ${healingType}`, emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: escape(LEVEL_MEANING[level]) } },
      {
        type: 'section',
        fields: [
          field('Level', level),
          field('Healing type', healingType),
          field('Last hour', String(counts.lastHour)),
          field('Last 24 hours', String(counts.lastDay)),
          field('Failures (24 h)', `${counts.failuresLastDay} (${(failureRate * 100).toFixed(1)}%)`),
        ],
      },
      recentEventsBlock(recent),
      investigateBlock(investigation),
    ],
  };
}

export interface RunSummary {
  healedIds: string[];
  failedIds: string[];
  skippedMalformed: number;
  counts: PatternCounts;
  execution: string;
}

export function runSummaryMessage(summary: RunSummary, investigation: Investigation): SlackMessage {
  const text = `auto-batch-cleanup healed ${summary.healedIds.length}, failed ${summary.failedIds.length}, skipped ${summary.skippedMalformed} malformed`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'auto-batch-cleanup run summary' } },
    {
      type: 'section',
      fields: [
        field('Healed', String(summary.healedIds.length)),
        field('Failed', String(summary.failedIds.length)),
        field('Skipped as malformed', String(summary.skippedMalformed)),
        field(`${investigation.healingType} in 1 h / 24 h`, `${summary.counts.lastHour} / ${summary.counts.lastDay}`),
      ],
    },
  ];
  if (summary.healedIds.length > 0) blocks.push(idList('Healed batches', summary.healedIds));
  if (summary.failedIds.length > 0) blocks.push(idList('Failed to heal', summary.failedIds));
  blocks.push(
    { type: 'context', elements: [{ type: 'mrkdwn', text: escape(`Run: ${summary.execution}`) }] },
    investigateBlock(investigation),
  );
  return { text, blocks };
}

export function safetyBrakeMessage(stalled: number, limit: number, sampleIds: string[], investigation: Investigation): SlackMessage {
  const text = `:rotating_light: CRITICAL: ${stalled} stalled batches exceed MAX_HEALS_PER_RUN (${limit}); healed none`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':rotating_light: CRITICAL: safety brake', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: escape(`${stalled} batches are stalled, more than MAX_HEALS_PER_RUN (${limit}). That is an outage, not a straggler: nothing was healed. Find why the pipeline stopped before healing anything.`),
        },
      },
      field2('Level', 'critical', 'Healing type', investigation.healingType),
      idList(`Sample of stalled batches (${sampleIds.length} of ${stalled})`, sampleIds),
      investigateBlock(investigation),
    ],
  };
}

function recentEventsBlock(recent: RecentEvent[]): KnownBlock {
  const lines = recent.map((event) => `• ${event.timestamp.toISOString()} ${event.success ? '' : '*FAILED* '}${escape(event.trigger_reason)}`);
  return { type: 'section', text: { type: 'mrkdwn', text: `*Recent events*\n${lines.join('\n') || '(none)'}` } };
}

function investigateBlock({ healingType, table }: Investigation): KnownBlock {
  const quoted = healingType.replace(/'/g, "\\'");
  const command = `analyze-healing --type '${quoted}' --start "$(date -u -d '24 hours ago' '+%Y-%m-%d %H:%M')"`;
  const sql = `SELECT timestamp, trigger_reason, root_cause, success FROM \`${table}\` WHERE healing_type = '${quoted}' AND timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR) ORDER BY timestamp DESC LIMIT 20`;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `*Investigate*\n\`\`\`${escape(command)}\`\`\`\n\`\`\`${escape(sql)}\`\`\`` },
  };
}

function idList(title: string, ids: string[]): KnownBlock {
  const shown = ids.slice(0, 20).map((id) => `\`${escape(id)}\``).join(', ');
  const more = ids.length > 20 ? ` and ${ids.length - 20} more` : '';
  return { type: 'section', text: { type: 'mrkdwn', text: `*${escape(title)}*\n${shown}${more}` } };
}

function field(label: string, value: string) {
  return { type: 'mrkdwn' as const, text: `*${escape(label)}*\n${escape(value)}` };
}

function field2(labelA: string, valueA: string, labelB: string, valueB: string): KnownBlock {
  return { type: 'section', fields: [field(labelA, valueA), field(labelB, valueB)] };
}

/** Slack's mrkdwn needs &, < and > escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
