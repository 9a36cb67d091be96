import { causeOf, causeSql, fingerprint } from './causeFingerprint.js';

describe('cause fingerprint', () => {
  it('gives differently numbered stalls of different batches one fingerprint', () => {
    const first = fingerprint('Batch a1 stalled at 91.2% (124/136) for 17.3 minutes');
    expect(first).toBe('Batch # stalled at #% (#/#) for # minutes');
    expect(fingerprint('Batch b7 stalled at 93.0% (80/86) for 22.0 minutes')).toBe(first);
  });

  it('takes out timestamps, uuids and ids joined with dashes, dots or colons', () => {
    expect(fingerprint('Job run-2026-03-08 failed at 2026-03-08T05:00:00.123Z (id 3f2c9e1a-7b4d-4c2e-9f00-1a2b3c4d5e6f)')).toBe(
      'Job run-# failed at # (id #)',
    );
    expect(fingerprint('Retry 3 of 5 after HTTP 503 from 10.0.0.12:8080')).toBe('Retry # of # after HTTP 503 from #');
  });

  it('keeps words without digits and collapses whitespace', () => {
    expect(fingerprint('  Upstream\tscoring-api\n timed out,  "twice" ')).toBe('Upstream scoring-api timed out, "twice"');
  });

  it('prefers a set root cause and ignores a blank one', () => {
    expect(causeOf({ root_cause: 'stalled_batch', trigger_reason: 'Batch a1 stalled' })).toBe('stalled_batch');
    expect(causeOf({ root_cause: '  ', trigger_reason: 'Batch a1 stalled' })).toBe('Batch # stalled');
    expect(causeOf({ root_cause: null, trigger_reason: 'Batch a1 stalled' })).toBe('Batch # stalled');
  });
});

describe('cause fingerprint: HTTP status codes', () => {
  it('keeps a 503 and takes out the duration, so 503s of any duration are one cause', () => {
    expect(fingerprint('HTTP 503 from odds-api after 3012 ms')).toBe('HTTP 503 from odds-api after # ms');
    expect(fingerprint('HTTP 503 from odds-api after 17 ms')).toBe('HTTP 503 from odds-api after # ms');
  });

  it('keeps a 404 after "returned" and takes out the game id', () => {
    expect(fingerprint('odds-api returned 404 for game 0022500123')).toBe('odds-api returned 404 for game #');
    expect(fingerprint('odds-api returned 404 for game 0022500999')).toBe('odds-api returned 404 for game #');
  });

  it('tells a 503 from a 502 and a 404', () => {
    const causes = new Set(['HTTP 503 from x', 'HTTP 502 from x', 'HTTP 404 from x'].map(fingerprint));
    expect(causes.size).toBe(3);
  });

  it.each([
    ['upstream said HTTP/1.1 502 Bad Gateway', 'upstream said HTTP/1.1 502 Bad Gateway'],
    ['HTTP/2 429 from the odds feed', 'HTTP/2 429 from the odds feed'],
    ['urllib.error.HTTPError: HTTP Error 503: Service Unavailable', 'urllib.error.HTTPError: HTTP Error 503: Service Unavailable'],
    ['status 404 for player 2544', 'status 404 for player #'],
    ['Status: 500 on attempt 3', 'Status: 500 on attempt #'],
    ['request failed, status=429', 'request failed, status=429'],
    ['response.status_code == 503', 'response.status_code == 503'],
    ['error code 401 from auth', 'error code 401 from auth'],
    ['STATUS CODE 418', 'STATUS CODE 418'],
    ['scoring-api returned 500.', 'scoring-api returned 500.'],
    ['http\t503   after  9 s', 'http 503 after # s'],
  ])('keeps the status code in %j', (reason, expected) => {
    expect(fingerprint(reason)).toBe(expected);
  });

  it.each([
    ['after 412 ms', 'after # ms'],
    ['waited 503 ms', 'waited # ms'],
    ['HTTP 600 is no status', 'HTTP # is no status'],
    ['HTTP 099 is no status', 'HTTP # is no status'],
    ['code 5 of 7', 'code # of #'],
    ['returned 12345 rows', 'returned # rows'],
    ['returned 500.5 rows', 'returned # rows'],
    ['HTTP 503-abc is an id', 'HTTP # is an id'],
    ['code 404:17 is a position', 'code # is a position'],
    ['postcode 404 is part of a word', 'postcode # is part of a word'],
    ['a1code 503', '# #'],
    ['batch 7 returned', 'batch # returned'],
  ])('takes out a number that is not a status code in %j', (reason, expected) => {
    expect(fingerprint(reason)).toBe(expected);
  });

  it('leaves a # already in the reason alone', () => {
    expect(fingerprint('returned 404#3 for #7')).toBe('returned 404## for ##');
  });

  it('writes the BigQuery rule without lookaround, which RE2 does not have', () => {
    const sql = causeSql();
    expect(sql).not.toMatch(/\(\?<?[=!]/);
    expect(sql.match(/REGEXP_REPLACE\(/g)).toHaveLength(5);
  });
});
