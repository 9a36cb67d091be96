import { createLogger, errorFields, REPORTED_ERROR_EVENT_TYPE, type LoggerOptions } from './logger.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

function capture(options: LoggerOptions = {}) {
  const raw: string[] = [];
  const logger = createLogger({ now: () => NOW, write: (line) => raw.push(line), ...options });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function thrown(): Error {
  try {
    throw new TypeError('Firestore went away\nsecond line of detail');
  } catch (error) {
    return error as Error;
  }
}

describe('logger', () => {
  it('writes one JSON object a line with severity, message and time', () => {
    const { logger, raw } = capture();
    logger.info('run summary', { healed: 3 });
    expect(raw).toEqual([`{"severity":"INFO","message":"run summary","healed":3,"time":"2026-11-23T12:00:00.000Z"}\n`]);
  });

  it('never lets a field overwrite severity, message or time; keeps them as field_<name>', () => {
    const { logger, lines } = capture();
    logger.warn('Slack message not delivered', { severity: 'DEBUG', message: 'hijacked', time: 'yesterday', healing_type: 'retry' });
    expect(lines()).toEqual([
      {
        severity: 'WARNING',
        message: 'Slack message not delivered',
        field_severity: 'DEBUG',
        field_message: 'hijacked',
        field_time: 'yesterday',
        healing_type: 'retry',
        time: NOW.toISOString(),
      },
    ]);
  });

  it('writes a thrown error as its first line, with V8 stack in stack_trace where Error Reporting reads it', () => {
    const { logger, lines } = capture({ service: 'auto-batch-cleanup' });
    const error = thrown();
    logger.error('run failed: Firestore went away', { error, healed: 2 });
    const [line] = lines();
    expect(line).toMatchObject({
      severity: 'ERROR',
      message: 'run failed: Firestore went away',
      error: 'TypeError: Firestore went away',
      healed: 2,
      serviceContext: { service: 'auto-batch-cleanup' },
    });
    expect(line!.stack_trace).toBe(error.stack);
    expect(String(line!.stack_trace)).toMatch(/^TypeError: Firestore went away\n.*\n {4}at /s);
    expect(line).not.toHaveProperty('@type');
  });

  it('marks a thrown value without a stack as a ReportedErrorEvent so Error Reporting still takes it', () => {
    const { logger, lines } = capture();
    logger.error('run failed', { error: { code: 14 } });
    expect(lines()[0]).toMatchObject({ error: '[object Object]', '@type': REPORTED_ERROR_EVENT_TYPE });
    expect(lines()[0]).not.toHaveProperty('stack_trace');
    expect(errorFields('thrown text')).toEqual({ error: 'thrown text', '@type': REPORTED_ERROR_EVENT_TYPE });
  });

  it('leaves an error already written as text as it is', () => {
    const { logger, lines } = capture();
    logger.critical('run failed', { error: 'Firestore went away' });
    expect(lines()[0]).toEqual({ severity: 'CRITICAL', message: 'run failed', error: 'Firestore went away', time: NOW.toISOString() });
  });

  it('keeps a stack_trace the caller gives', () => {
    const { logger, lines } = capture();
    logger.error('run failed', { error: thrown(), stack_trace: 'Error: given\n    at here (file.js:1:1)' });
    expect(lines()[0]).toMatchObject({ stack_trace: 'Error: given\n    at here (file.js:1:1)', error: 'TypeError: Firestore went away' });
    expect(lines()[0]).not.toHaveProperty('@type');
  });

  it('writes CRITICAL whatever the level, and nothing below the level', () => {
    const { logger, lines } = capture({ level: 'error' });
    logger.info('quiet');
    logger.warn('quiet too');
    logger.critical('safety brake', { stalled: 40 });
    expect(lines().map((line) => line.severity)).toEqual(['CRITICAL']);
  });

  it('keeps a line far below the 256 KB Cloud Logging takes, whatever a writer put in a healing type or reason', () => {
    const { logger, raw, lines } = capture();
    const type = `<!channel>\n${'t'.repeat(1024 * 1024)}`;
    logger.warn(`healing pattern for ${type}`, { healing_type: type, reason: '\u0000'.repeat(300_000) });
    expect(Buffer.byteLength(raw[0]!)).toBeLessThan(20_000);
    expect(lines()[0]).toMatchObject({ severity: 'WARNING', healing_type: expect.stringMatching(/^<!channel> t+… \([\d,]+ characters cut\)$/), reason: '' });
  });

  it('never throws on values JSON cannot hold', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { id: 1 };
    logger.info('odd fields', { big: 10n ** 20n, cyclic, pair: [shared, shared], nested: { error: new RangeError('deep') } });
    expect(lines()[0]).toMatchObject({
      big: '100000000000000000000',
      cyclic: { name: 'a', self: '[Circular]' },
      pair: [{ id: 1 }, { id: 1 }],
      nested: { error: 'RangeError: deep' },
    });
  });
});

describe('errorFields', () => {
  it('gives the first line and the stack of an Error', () => {
    const error = thrown();
    expect(errorFields(error)).toEqual({ error: 'TypeError: Firestore went away', stack_trace: error.stack });
  });
});
