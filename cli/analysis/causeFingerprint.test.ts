import { causeOf, collapseLongNumbers, digitClasses, fingerprint, fingerprintSql } from './causeFingerprint.js';

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
    const sql = fingerprintSql('trigger_reason');
    expect(sql).not.toMatch(/\(\?<?[=!]/);
    expect(sql.match(/REGEXP_REPLACE\(/g)).toHaveLength(5);
  });
});

/** Reasons built from the pieces the rule reacts to: keywords, separators, digit runs of every length, marks. */
function generatedReasons(count: number): string[] {
  const pieces = [
    'HTTP', 'http', 'HTTP/1.1', 'HTTP/2', 'HTTP/1.12', 'HTTP Error', ' error', 'status', 'Status', 'status_code', 'STATUS CODE', 'code', 'returned', 'postcode',
    ' ', ' ', ' ', '  ', '\t', '\n', ':', '=', '==', ': ', ' = ', '.', '-', '+', '/', '#', '\u001f', '(', ')', ',', '"',
    'a', 'b7', 'x1', '_', 'ms', 'Batch', 'from', 'ſtatus',
  ];
  let seed = 42;
  const next = (limit: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % limit;
  };
  const digits = () => Array.from({ length: next(3) === 0 ? 3 : 1 + next(6) }, () => String(next(10))).join('');
  const statusCode = () => `${pieces[next(14)]}${[' ', ': ', '=', ' == '][next(4)]}${1 + next(6)}${next(10)}${next(10)}`;
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + next(12) }, () => [digits, statusCode, () => pieces[next(pieces.length)]!, () => pieces[next(pieces.length)]!][next(4)]!()).join(''),
  );
}

describe('cause fingerprint: reasons that share it for certain', () => {
  const reasons = generatedReasons(20_000);

  it('gives a reason with its long numbers collapsed the reason\'s own fingerprint', () => {
    const differing = reasons.filter((reason) => fingerprint(collapseLongNumbers(reason)) !== fingerprint(reason));
    expect(differing).toEqual([]);
    expect(reasons.filter((reason) => collapseLongNumbers(reason) !== reason).length).toBeGreaterThan(1000);
  });

  it('gives a reason with its digits as classes the reason\'s own fingerprint whenever that keeps no status code', () => {
    const shapes = reasons.filter((reason) => !/[0-9]/.test(fingerprint(digitClasses(reason))));
    const differing = shapes.filter((reason) => fingerprint(digitClasses(reason)) !== fingerprint(reason));
    expect(differing).toEqual([]);
    expect(shapes.length).toBeGreaterThan(1000);
    // and a kept status code is never mistaken for a shape's
    const kept = reasons.filter((reason) => /[0-9]/.test(fingerprint(reason)));
    expect(kept.length).toBeGreaterThan(1000);
    expect(kept.filter((reason) => !/[0-9]/.test(fingerprint(digitClasses(reason))))).toEqual([]);
  });

  it('collapses numbers of four digits or more by their first digit only', () => {
    expect(collapseLongNumbers('job 12345 at 56789 of 0123 and 503, 4040.5')).toBe('job 1000 at 1000 of 0000 and 503, 1000.5');
    expect(digitClasses('HTTP 503 after 3012 ms')).toBe('HTTP 101 after 1011 ms');
  });
});
