import { firstLine } from '../errorText.js';
import { errorCategory } from './errorCategory.js';

function withFields(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('errorCategory', () => {
  test('names a system error by its code, whatever the message says', () => {
    expect(errorCategory(withFields('read ECONNRESET', { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorCategory(withFields('socket hang up at 10.0.0.7:443', { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorCategory(withFields('connect ETIMEDOUT 10.1.2.3:443', { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
  });

  test('names a gRPC error by its status name', () => {
    expect(errorCategory(withFields('14 UNAVAILABLE: No connection established', { code: 14 }))).toBe('UNAVAILABLE');
    expect(errorCategory(withFields('4 DEADLINE_EXCEEDED: deadline', { code: 4 }))).toBe('DEADLINE_EXCEEDED');
  });

  test('names an HTTP status from status, statusCode or response.status', () => {
    expect(errorCategory(withFields('Service Unavailable', { status: 503 }))).toBe('HTTP 503');
    expect(errorCategory(withFields('Service Unavailable', { statusCode: 503 }))).toBe('HTTP 503');
    expect(errorCategory(withFields('Request failed', { code: 'ERR_BAD_RESPONSE', response: { status: 503 } }))).toBe('HTTP 503');
    expect(errorCategory(withFields('Not Found', { code: '404' }))).toBe('HTTP 404');
  });

  test('finds an HTTP status in the message after HTTP, HTTP/1.1, status, code or returned', () => {
    expect(errorCategory(new Error('feature store answered HTTP 503 for player 2291'))).toBe('HTTP 503');
    expect(errorCategory(new Error('HTTP/1.1 502 Bad Gateway'))).toBe('HTTP 502');
    expect(errorCategory(new Error('upstream status: 429 after 3s'))).toBe('HTTP 429');
    expect(errorCategory(new Error('request failed with code 500'))).toBe('HTTP 500');
    expect(errorCategory(new Error('prediction worker 17 returned 504'))).toBe('HTTP 504');
  });

  test('does not read other numbers in a message as a status', () => {
    expect(errorCategory(new Error('batch 503 has 12 players left'))).toBe('Error');
    expect(errorCategory(new Error('HTTP 700 is not a status'))).toBe('Error');
  });

  test("looks through the error's cause, as fetch reports a refused connection", () => {
    const error = new TypeError('fetch failed', { cause: withFields('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }) });
    expect(errorCategory(error)).toBe('ECONNREFUSED');
  });

  test("falls back to the error's name, or its class name when the name is the generic Error", () => {
    class QuotaExceeded extends Error {}
    const named = new Error('bad');
    named.name = 'AbortError';
    expect(errorCategory(new TypeError('x is not a function'))).toBe('TypeError');
    expect(errorCategory(named)).toBe('AbortError');
    expect(errorCategory(new QuotaExceeded('daily quota used up'))).toBe('QuotaExceeded');
    expect(errorCategory('boom')).toBe('thrown_string');
    expect(errorCategory(undefined)).toBe('unknown_error');
  });
});

describe('firstLine', () => {
  test('keeps the first line of the message and cuts a long one with an ellipsis', () => {
    expect(firstLine(new Error('first\n    at stack'))).toBe('first');
    expect(firstLine('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
