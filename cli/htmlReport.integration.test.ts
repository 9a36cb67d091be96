import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { createBigQuery } from '../shared/bigQueryClient.js';
import { createHealingEvent, type HealingEvent } from '../shared/healingEvent.js';
import { HealingEventTable } from '../shared/healingEventTable.js';
import { commonTestConfig, emulatorEnv, uniqueSuffix } from '../test/support/emulators.js';
import { createVerdictTable, insertVerdicts, type VerdictRow } from '../test/support/verdictTable.js';
import type { HealingReport } from './analysis/healingReport.js';
import { analyzeHealing } from './analyzeHealing.js';

// The --html page opened in a real headless Chromium (Debian's chromium; scripts/test.sh installs it).
// REPORT_SCREENSHOT=docs/report.png also saves a screenshot of the page, for the README.
const CHROMIUM = '/usr/bin/chromium';
const suffix = uniqueSuffix();
const env = emulatorEnv(suffix);
const config = commonTestConfig(suffix);
const bigquery = createBigQuery(config);
const table = new HealingEventTable(bigquery, config.dataset, config.table);
const NOW = new Date('2026-04-15T00:00:00Z');
const HOUR = 3_600_000;
const scratch = mkdtempSync(join(tmpdir(), 'html-report-test-'));

const HOSTILE_TYPE = '<img src=x onerror=alert(1)>';
const HOSTILE_CAUSE = '</svg></figure><script>document.title="owned"</script><img src="http://example.com/x.png"> & "quoted"';

let serial = 0;
function event(at: number, type: string, rootCause: string | null, reason: string, success: boolean, stallMinutes?: number): HealingEvent {
  const timestamp = new Date(at);
  return createHealingEvent({
    healing_id: `html-${serial++}`,
    timestamp,
    healing_type: type,
    trigger_reason: reason,
    root_cause: rootCause,
    action_taken: 'seeded by htmlReport.test',
    before_state: stallMinutes === undefined ? {} : { updated_at: new Date(at - stallMinutes * 60_000).toISOString() },
    after_state: {},
    success,
    // Batch heals carry the rule they applied, as the job records it.
    metadata: stallMinutes === undefined ? {} : { rule: { stall_minutes: 15, min_completion_pct: 90 } },
  });
}

/** Two weeks that look like a real pipeline: batch_cleanup falls after a fix, retry rises, a few others. */
function twoWeeks(): HealingEvent[] {
  const seeded: HealingEvent[] = [];
  let random = 7;
  const next = () => (random = (random * 48271) % 2147483647) / 2147483647;
  for (let hour = 14 * 24; hour > 0; hour--) {
    const at = NOW.getTime() - hour * HOUR + Math.floor(next() * HOUR * 0.9);
    const thisWeek = hour <= 7 * 24;
    if (next() < (thisWeek ? 0.25 : 0.6)) {
      seeded.push(event(at, 'batch_cleanup', next() < 0.7 ? 'stalled_batch' : 'worker_oom', `Batch b${hour} stalled at 9${hour % 10}.0% for ${15 + (hour % 30)} minutes`, next() > 0.03, 15 + Math.floor(next() * 40)));
    }
    if (next() < (thisWeek ? 0.35 : 0.15)) {
      seeded.push(event(at + 1000, 'retry', null, `Call to scoring-api returned ${next() < 0.7 ? 503 : 429} after ${1 + (hour % 3)} attempts`, next() > 0.15));
    }
    if (next() < 0.05) seeded.push(event(at + 2000, 'fallback', 'model_unavailable', 'Model v12 unavailable', next() > 0.3));
    if (next() < (thisWeek ? 0.02 : 0.06)) seeded.push(event(at + 3000, 'circuit_breaker_reset', 'feature_store_down', 'Feature store breaker open', true));
  }
  return seeded;
}

/** A verdict for every successful batch heal: mostly held, every seventh premature, one undone. */
function verdictsOf(events: readonly HealingEvent[]): VerdictRow[] {
  return events
    .filter((seeded) => seeded.success && (seeded.healing_type === 'batch_cleanup' || seeded.healing_type === HOSTILE_TYPE))
    .map((seeded, index): VerdictRow => {
      const kind = index === 3 ? 'undone' : index % 7 === 0 ? 'premature' : 'held';
      return {
        healing_id: seeded.healing_id,
        healing_type: seeded.healing_type,
        verdict: kind,
        checked_at: new Date(seeded.timestamp.getTime() + HOUR),
        healed_at: seeded.timestamp,
        stall_minutes: 15 + (index % 10),
        late_players: kind === 'premature' ? 1 + (index % 4) : null,
        progress_after_minutes: kind === 'premature' ? 2 + (index % 30) : null,
      };
    });
}

/** Markup in every text an event carries, on a day of its own. */
const hostile = [
  event(Date.parse('2026-06-01T01:00:00Z'), HOSTILE_TYPE, HOSTILE_CAUSE, 'x', false),
  event(Date.parse('2026-06-01T01:30:00Z'), HOSTILE_TYPE, HOSTILE_CAUSE, 'x', true),
  event(Date.parse('2026-06-01T02:00:00Z'), 'batch_cleanup', null, '<b>bold</b> <style>body{display:none}</style>', true, 30),
  event(Date.parse('2026-06-01T03:00:00Z'), 'batch_cleanup', null, '<b>bold</b> <style>body{display:none}</style>', true, 50),
];
const weeks = twoWeeks();

async function writeReport(args: string[], file: string): Promise<void> {
  let stderr = '';
  const code = await analyzeHealing([...args, '--html', file], env, {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    now: () => NOW,
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
}

async function jsonReport(args: string[]): Promise<HealingReport> {
  let stdout = '';
  await analyzeHealing([...args, '--format', 'json'], env, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, now: () => NOW });
  return JSON.parse(stdout) as HealingReport;
}

let browser: BrowserContext;

/** Opens the page and collects everything that must not happen: console errors, page errors, requests. */
async function open(file: string) {
  const page = await browser.newPage();
  const url = pathToFileURL(resolve(file)).href;
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const onRequest = (request: { url(): string }) => {
    if (request.url() !== url) problems.push(`request: ${request.url()}`);
  };
  browser.on('request', onRequest);
  page.once('close', () => browser.off('request', onRequest));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  return { page, problems };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does when it can)`);
  await table.ensureExists();
  await createVerdictTable(bigquery, config.dataset, config.verdictTable);
  const outcome = await table.insert([...weeks, ...hostile]);
  expect(outcome.rejected).toEqual([]);
  await insertVerdicts(bigquery, config.dataset, config.verdictTable, verdictsOf([...weeks, ...hostile]));
  browser = await chromium.launchPersistentContext(mkdtempSync(join(scratch, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
  await bigquery.dataset(config.dataset).delete({ force: true });
});

describe('--html in Chromium', () => {
  it('renders with no error and no request, with the charts and the numbers of --format json', async () => {
    const file = join(scratch, 'weeks.html');
    const args = ['--last', '7d', '--compare'];
    await writeReport(args, file);
    const expected = await jsonReport(args);
    const { page, problems } = await open(file);

    expect(problems).toEqual([]);
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThanOrEqual(3);
    for (const id of ['events-over-time', 'success-rate', 'top-causes', 'time-to-heal', 'verdicts']) {
      const box = await page.locator(`#chart-${id} svg`).boundingBox();
      expect(box!.width * box!.height).toBeGreaterThan(10_000);
    }
    expect(await page.locator('#total-events .value').textContent()).toBe(expected.totals.events.toLocaleString('en-US'));
    expect(await page.locator('#median-time-to-heal .value').textContent()).toBe(`${expected.time_to_heal!.median_minutes} min`);
    const [batch] = expected.verdicts;
    expect(batch).toMatchObject({ healing_type: 'batch_cleanup' });
    expect(batch!.premature).toBeGreaterThan(0);
    expect(await page.locator('#premature-rate .value').textContent()).toBe(`${(Math.round(batch!.premature_rate! * 1000) / 10).toFixed(1)}%`);
    expect(await page.locator('#verdict-table tbody tr').count()).toBe(expected.verdicts.length);
    expect(expected.stall_recommendation).toMatchObject({ current_minutes: 15 });
    expect(await page.textContent('body')).toContain(`raising STALL_MINUTES from 15 to ${expected.stall_recommendation!.recommended_minutes}`);
    const embedded = JSON.parse((await page.locator('#healing-report').textContent())!) as HealingReport;
    expect(embedded).toEqual(expected);
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('shows markup from events as text and never runs it', async () => {
    const file = join(scratch, 'hostile.html');
    await writeReport(['--start', '2026-06-01', '--end', '2026-06-02'], file);
    const { page, problems } = await open(file);

    expect(problems).toEqual([]);
    expect(await page.title()).not.toBe('owned');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('style').count()).toBe(1);
    const text = await page.locator('body').innerText();
    expect(text).toContain(HOSTILE_CAUSE);
    expect(text).toContain(HOSTILE_TYPE);
    expect(text).toContain('<b>bold</b>');
    expect(readFileSync(file, 'utf8')).not.toContain('<img');
    await page.close();
  });
});
