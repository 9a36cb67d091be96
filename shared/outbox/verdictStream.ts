import { Timestamp } from '@google-cloud/firestore';
import type { OutboxStream } from './OutboxStream.js';
import { readPendingVerdict } from './pendingVerdict.js';
import { type HealVerdictRow, toVerdictJson, VERDICT_EXPORTED_FIELD, VERDICT_FIELD, VERDICT_FIELDS, verdictInsertId } from './verdictDocument.js';

/**
 * Heal verdicts, pending on their event documents, exported to the verdicts table
 * (`HEALING_VERDICT_TABLE`); the insert id is `<healing_id>:<verdict>`.
 */
export const verdictStream: OutboxStream<HealVerdictRow> = {
  noun: 'heal verdict',
  fields: VERDICT_FIELDS,
  read(documentId, data) {
    const read = readPendingVerdict(documentId, data);
    return read.ok ? read : { ok: false, reason: `not a readable heal verdict: ${read.reason}` };
  },
  /** The document still holds this very verdict, pending: a verdict given since is another row. */
  holds(data, row) {
    const verdict = data[VERDICT_FIELD] as { verdict?: unknown; checked_at?: unknown } | undefined;
    return data[VERDICT_EXPORTED_FIELD] === false && verdict?.verdict === row.verdict && checkedAtMillis(verdict.checked_at) === row.checked_at.getTime();
  },
  documentId: (row) => row.healing_id,
  insertId: verdictInsertId,
  toJson: toVerdictJson,
  healingType: (row) => row.healing_type,
  /** By healing_id, verdict and checked_at, within the partitions of the verdicts' checked_at. */
  lookup(rows, table) {
    const times = rows.map((row) => row.checked_at.getTime());
    return {
      sql: `SELECT healing_id, verdict, UNIX_MILLIS(checked_at) FROM ${table} WHERE checked_at BETWEEN @first AND @last AND healing_id IN UNNEST(@ids)`,
      parameters: [
        { name: 'first', type: 'TIMESTAMP', value: new Date(Math.min(...times)).toISOString() },
        { name: 'last', type: 'TIMESTAMP', value: new Date(Math.max(...times)).toISOString() },
        { name: 'ids', type: 'ARRAY<STRING>', value: [...new Set(rows.map((row) => row.healing_id))] },
      ],
    };
  },
  key: (row) => `${row.healing_id}\u0000${row.verdict}\u0000${row.checked_at.getTime()}`,
  foundKey: ([healingId, verdict, millis]) => `${healingId}\u0000${verdict}\u0000${Number(millis)}`,
};

function checkedAtMillis(value: unknown): number | undefined {
  if (value instanceof Timestamp) return value.toMillis();
  if (typeof value === 'string') return new Date(value).getTime();
  return undefined;
}
