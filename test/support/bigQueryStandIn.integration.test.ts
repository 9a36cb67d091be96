import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQuery } from '../../shared/bigQueryClient.js';
import { BIGQUERY_INSERT_LIMIT_BYTES, BigQueryStandIn } from './bigQueryStandIn.js';
import { emulatorEnv, uniqueSuffix } from './emulators.js';

const env = emulatorEnv(uniqueSuffix());
const projectId = env.GOOGLE_CLOUD_PROJECT!;
const dataset = env.HEALING_DATASET!;
const direct = createBigQuery({ projectId, bigqueryEmulatorHost: env.BIGQUERY_EMULATOR_HOST });
/** Client requests a test left hanging; they must settle (the client retries once) before the file ends, or their retry fires after jest tore the file down. */
const abandoned: Array<Promise<unknown>> = [];
const rows = (...ids: string[]) => ids.map((id) => ({ insertId: id, json: { id, note: `row ${id}` } }));

/** Rejects with the signal's reason when it aborts, as a job's deadline would. */
function deadline(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

async function elapsed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { ms: Date.now() - started, error };
}

describe('the BigQuery stand-in', () => {
  const standIn = new BigQueryStandIn({ target: env.BIGQUERY_EMULATOR_HOST });
  let bigquery: BigQuery;

  beforeAll(async () => {
    await direct.createDataset(dataset);
    await direct.dataset(dataset).createTable('events', { schema: { fields: [{ name: 'id', type: 'STRING' }, { name: 'note', type: 'STRING' }] } });
    bigquery = createBigQuery({ projectId, bigqueryEmulatorHost: await standIn.start() });
  });

  afterEach(() => {
    standIn.mode = 'forward';
    standIn.insertDelayMs = 0;
    standIn.answerDelayMs = 0;
    standIn.maxInsertBytes = BIGQUERY_INSERT_LIMIT_BYTES;
    standIn.reset();
  });

  afterAll(async () => {
    await standIn.stop();
    await Promise.allSettled(abandoned);
    await direct.dataset(dataset).delete({ force: true });
  });

  it('forwards inserts and queries to the emulator, counting them and keeping the insert ids', async () => {
    await bigquery.dataset(dataset).table('events').insert(rows('a1', 'a2'), { raw: true });
    const [found] = await bigquery.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id LIKE 'a%' ORDER BY id` });
    expect(found).toEqual([{ id: 'a1' }, { id: 'a2' }]);
    expect(standIn.counts.insertAll).toBe(1);
    expect(standIn.counts.other).toBeGreaterThanOrEqual(1);
    expect(standIn.inserts).toEqual([{ table: `datasets/${dataset}/tables/events`, insertIds: ['a1', 'a2'], mode: 'forward', bytes: expect.any(Number) }]);
  });

  it('passes the emulator status and error body through, as a missing table gets them', async () => {
    const { error } = await elapsed(bigquery.dataset(dataset).table('missing').get());
    expect(error).toMatchObject({ code: 404 });
  });

  it('holds a forwarded insert for insertDelayMs and then lands it, while other requests pass at once', async () => {
    standIn.insertDelayMs = 1500;
    const insert = elapsed(bigquery.dataset(dataset).table('events').insert(rows('b1'), { raw: true }));
    await standIn.waitForInserts(1, 1000);
    expect(standIn.insertIds()).toEqual(['b1']);
    const { ms: metadataMs } = await elapsed(bigquery.dataset(dataset).table('events').getMetadata());
    expect(metadataMs).toBeLessThan(1400);
    const { ms, error } = await insert;
    expect(error).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(1400);
    const [found] = await direct.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id = 'b1'` });
    expect(found).toEqual([{ id: 'b1' }]);
  });

  it('in hang mode never answers: the client waits until a deadline, an AbortSignal ends the request, nothing is written', async () => {
    standIn.mode = 'hang';
    const insert = bigquery.dataset(dataset).table('events').insert(rows('c1'), { raw: true });
    await expect(Promise.race([insert, deadline(AbortSignal.timeout(500))])).rejects.toMatchObject({ name: 'TimeoutError' });
    const aborted = await elapsed(fetch(`${standIn.url}/bigquery/v2/projects/${projectId}/datasets`, { signal: AbortSignal.timeout(300) }));
    expect(aborted.error).toMatchObject({ name: 'TimeoutError' });
    expect(standIn.inserts).toEqual([{ table: `datasets/${dataset}/tables/events`, insertIds: ['c1'], mode: 'hang', bytes: expect.any(Number) }]);
    expect(standIn.counts).toEqual({ insertAll: 1, other: 1 });
    const [found] = await direct.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id = 'c1'` });
    expect(found).toEqual([]);
    abandoned.push(insert);
  });

  it('refuses an insert over 10 MB as BigQuery does, with 400 "Request payload size exceeds the limit", and writes none of it', async () => {
    const big = [{ insertId: 'g1', json: { id: 'g1', note: 'x'.repeat(BIGQUERY_INSERT_LIMIT_BYTES) } }];
    const { error } = await elapsed(bigquery.dataset(dataset).table('events').insert(big, { raw: true }));
    expect(error).toMatchObject({ code: 400, message: expect.stringContaining('Request payload size exceeds the limit: 10485760 bytes') });
    expect(standIn.inserts).toEqual([expect.objectContaining({ insertIds: ['g1'], tooLarge: true })]);
    const [found] = await direct.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id = 'g1'` });
    expect(found).toEqual([]);
  });

  it('with answerDelayMs lands the rows at once and answers late', async () => {
    standIn.answerDelayMs = 1500;
    const insert = elapsed(bigquery.dataset(dataset).table('events').insert(rows('h1'), { raw: true }));
    await standIn.waitForInserts(1, 1000);
    await standIn.idle();
    const [found] = await direct.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id = 'h1'` });
    expect(found).toEqual([{ id: 'h1' }]);
    const { ms, error } = await insert;
    expect(error).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(1400);
  });

  it('with cutAfterForward lands the rows and then cuts the connection instead of answering', async () => {
    standIn.cutAfterForward = 1;
    const cut = await elapsed(fetch(`${standIn.url}/bigquery/v2/projects/${projectId}/datasets/${dataset}/tables/events/insertAll`, { method: 'POST', body: JSON.stringify({ rows: rows('i1') }) }));
    expect(cut.error).toMatchObject({ message: 'fetch failed' });
    const [found] = await direct.query({ query: `SELECT id FROM \`${projectId}.${dataset}.events\` WHERE id = 'i1'` });
    expect(found).toEqual([{ id: 'i1' }]);
    expect(standIn.cutAfterForward).toBe(0);
  });

  it('in fail mode answers 503 with a Google-style error that the client reports', async () => {
    standIn.mode = 'fail';
    const { error } = await elapsed(bigquery.dataset(dataset).table('events').insert(rows('d1'), { raw: true }));
    expect(error).toMatchObject({ code: 503, message: expect.stringContaining('unavailable') });
    const answer = await fetch(`${standIn.url}/bigquery/v2/projects/${projectId}/datasets`);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(standIn.insertIds()).toEqual(expect.arrayContaining(['d1']));
  });
});

describe('stopping the BigQuery stand-in', () => {
  it('returns at once while a client request hangs, and that request then fails', async () => {
    const standIn = new BigQueryStandIn({ target: env.BIGQUERY_EMULATOR_HOST, mode: 'hang' });
    const bigquery = createBigQuery({ projectId, bigqueryEmulatorHost: await standIn.start() });
    const hanging = elapsed(bigquery.dataset(dataset).table('events').insert(rows('f1'), { raw: true }));
    await standIn.waitForInserts(1, 5000);
    const { ms } = await elapsed(standIn.stop());
    expect(ms).toBeLessThan(500);
    expect((await hanging).error).toMatchObject({ message: expect.any(String) });
  });

  it('drops an insert it is holding', async () => {
    const standIn = new BigQueryStandIn({ target: env.BIGQUERY_EMULATOR_HOST, insertDelayMs: 60_000 });
    const url = await standIn.start();
    const held = elapsed(fetch(`${url}/bigquery/v2/projects/${projectId}/datasets/${dataset}/tables/events/insertAll`, { method: 'POST', body: JSON.stringify({ rows: rows('e1') }) }));
    await standIn.waitForInserts(1, 5000);
    expect(standIn.insertIds()).toEqual(['e1']);
    await expect(standIn.waitForInserts(2, 100)).rejects.toThrow('1 of 2 insertAll requests arrived within 100 ms');
    const { ms } = await elapsed(standIn.stop());
    expect(ms).toBeLessThan(500);
    expect((await held).error).toMatchObject({ message: 'fetch failed' });
  });
});
