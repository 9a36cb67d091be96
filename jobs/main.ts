#!/usr/bin/env node
// Cloud Run sends SIGTERM at the task timeout or on cancel, and SIGKILL 10 s later. The handler is
// in place before the program loads (most of a second), so a SIGTERM then still ends the run with
// its summary and exit 1; and whatever the program waits on, the process ends before the SIGKILL.
import { LAST_RESORT_MS, StopRequest } from './stopping.js';

const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stopping.abort(new StopRequest(signal));
    setTimeout(() => process.exit(1), LAST_RESORT_MS);
  });
}

const { main } = await import('./program.js');
process.exitCode = await main(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stop: stopping.signal,
});
// A stopped run has said all it will. Otherwise: a Firestore client that lost its server keeps
// retrying requests for minutes; the run is over.
if (stopping.signal.aborted) process.exit();
setTimeout(() => process.exit(), 1_000).unref();
