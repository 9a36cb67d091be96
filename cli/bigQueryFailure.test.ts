import { toBigQueryFailure } from './bigQueryFailure.js';

const emulator = { projectId: 'local-healing', bigqueryEmulatorHost: 'http://127.0.0.1:9', dataset: 'healing', table: 'healing_events' };
const google = { ...emulator, bigqueryEmulatorHost: undefined };

function networkError(): Error {
  return Object.assign(new Error('request to http://127.0.0.1:9/bigquery/v2/projects/local-healing/queries failed, reason: connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
  });
}

describe('BigQuery failure', () => {
  it('points at the emulator when it cannot be reached', () => {
    expect(toBigQueryFailure(networkError(), emulator).message).toBe(
      'cannot reach BigQuery at http://127.0.0.1:9 (ECONNREFUSED); check that the BigQuery emulator is running there (BIGQUERY_EMULATOR_HOST; scripts/local-stack.sh start)',
    );
    expect(toBigQueryFailure(networkError(), google).message).toContain('check the network connection to Google Cloud');
  });

  it('names the table and the variables to check when the table is missing, in the emulator or in Google', () => {
    for (const message of ['failed to analyze: Table not found: `local-healing.healing.healing_events` [at 1:15]', 'Not found: Table local-healing:healing.healing_events was not found in location US']) {
      const failure = toBigQueryFailure(Object.assign(new Error(message), { code: 404 }), google);
      expect(failure.message).toContain('BigQuery table local-healing.healing.healing_events does not exist; check GOOGLE_CLOUD_PROJECT, HEALING_DATASET and HEALING_TABLE');
    }
  });

  it('points at the credentials when access is refused', () => {
    const failure = toBigQueryFailure(Object.assign(new Error('Access Denied: User does not have bigquery.jobs.create permission'), { code: 403 }), google);
    expect(failure.message).toContain('check the credentials');
  });

  it('keeps one line and the original error as the cause', () => {
    const original = new Error('Syntax error: Unexpected end of script\n  at line 2');
    const failure = toBigQueryFailure(original, google);
    expect(failure.message).toBe('BigQuery query on local-healing.healing.healing_events failed: Syntax error: Unexpected end of script');
    expect(failure.cause).toBe(original);
  });
});
