import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable } from '../test/support/verdictTable.js';
import { causeOf } from './analysis/causeFingerprint.js';
import type { HealingReport } from './analysis/healingReport.js';
import { analyzeHealing } from './analyzeHealing.js';

// Top causes from analyze-healing against the BigQuery emulator, where the SQL rule groups.
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);

let sequence = 0;
function event(healing_type: string, trigger_reason: string, success = true): HealingEvent {
  sequence += 1;
  return createHealingEvent({
    healing_id: `grouping_${sequence}`,
    timestamp: new Date(Date.UTC(2026, 3, 1, 0, sequence)),
    healing_type,
    trigger_reason,
    root_cause: null,
    action_taken: 'seeded by causeGrouping.test',
    before_state: {},
    after_state: {},
    success,
    metadata: {},
  });
}

const outages = [
  event('odds_fetch', 'HTTP 503 from odds-api after 3012 ms', false),
  event('odds_fetch', 'HTTP 503 from odds-api after 412 ms', false),
  event('odds_fetch', 'HTTP 503 from odds-api after 29999 ms'),
  event('odds_fetch', 'odds-api returned 404 for game 0022500123'),
  event('odds_fetch', 'odds-api returned 404 for game 0022500777'),
];

// Reasons where the two engines could part ways: keywords in any case, versions, separators,
// numbers that only look like codes, whitespace, marks and non-ASCII letters next to digits.
const trickyReasons = [
  'Retry 3 of 5 after HTTP 503 from 10.0.0.12:8080',
  'Retry 4 of 5 after HTTP 502 from 10.0.0.13:8080',
  'upstream said HTTP/1.1 502 Bad Gateway',
  'upstream said http/2 502 Bad Gateway',
  'urllib.error.HTTPError: HTTP Error 503: Service Unavailable',
  'Status: 404 not found',
  'status=500',
  'response.status_code == 503',
  'STATUS CODE 418',
  'error code 401 from auth',
  'code 200 after 412 ms',
  'after 412 ms',
  'waited 503 ms',
  'returned 500.5 rows',
  'returned 12345',
  'returned 500.',
  'HTTP 503-x',
  'HTTP 600',
  'HTTP 099',
  'xhttp 503',
  'a1code 503',
  'x1--HTTP 503',
  'HTTP/1.1x 503',
  'HTTP/1.1 5034',
  'code 404-7',
  'code 404:',
  'code 404:abc',
  'returned 404#3',
  'HTTP 503##',
  'status 404 status 500',
  'code:  503 and code\t404',
  '  HTTP\t503  ',
  'HTTP\n503',
  'unicodeé503 code 404é',
  'Traceback (most recent call last):\n  File "fetch.py", line 88, in get\nrequests.exceptions.HTTPError: 503 Server Error for url: https://odds.example/v4/games/0022500123',
  'Batch a1 stalled at 91.2% (124/136) for 17.3 minutes',
  // Reasons that share a shape (digits as classes) or differ only in long numbers, where the SQL
  // fingerprints one reason for many: kept codes must still tell them apart.
  'HTTP 5034 at 1',
  'HTTP 6034 at 1',
  'HTTP:5034',
  'x1:status:5034',
  'x1:status:6034',
  'HTTP/1.12 503',
  'HTTP/1.1 503 after 20771 ms',
  'HTTP/1.1 403 after 20771 ms',
  'HTTP/1.1 403 after 99999 ms',
  'call 12345 failed with HTTP 501 after 2 attempts',
  'call 98765 failed with HTTP 501 after 2 attempts',
  'call 45 failed with HTTP 501 after 3 attempts',
  '\u001fcode 503\u001f',
  'a\u001f\u001fb 12',
];
const tricky = trickyReasons.map((reason) => event('fingerprint_probe', reason));

async function topCauses(type: string): Promise<HealingReport['top_causes']> {
  let stdout = '';
  let stderr = '';
  const code = await analyzeHealing(['--start', '2026-04-01', '--end', '2026-04-02', '--type', type, '--top', '100', '--format', 'json'], env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    now: () => new Date('2026-04-02T12:00:00Z'),
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return (JSON.parse(stdout) as HealingReport).top_causes;
}

beforeAll(async () => {
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...outages, ...tricky]);
  expect(outcome.rejected).toEqual([]);
});

afterAll(async () => {
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('analyze-healing groups causes by status code', () => {
  it('counts 503s of different durations as one cause and 404s of different games as another', async () => {
    expect(await topCauses('odds_fetch')).toEqual([
      { cause: 'HTTP 503 from odds-api after # ms', events: 3, failures: 2 },
      { cause: 'odds-api returned 404 for game #', events: 2, failures: 0 },
    ]);
  });

  it('groups tricky reasons in BigQuery exactly as the TypeScript rule does', async () => {
    const expected = new Map<string, number>();
    for (const seeded of tricky) expected.set(causeOf(seeded), (expected.get(causeOf(seeded)) ?? 0) + 1);
    const fromBigQuery = new Map((await topCauses('fingerprint_probe')).map(({ cause, events }) => [cause, events]));
    expect(fromBigQuery).toEqual(expected);
    expect(expected.get('HTTP 503')).toBe(2);
    expect(expected.has('upstream said HTTP/1.1 502 Bad Gateway')).toBe(true);
  });
});
