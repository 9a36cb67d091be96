#!/usr/bin/env node
// Cloud Run sends SIGTERM at the task timeout or on cancel, and SIGKILL 10 s later. The handler is
// in place before the program loads (most of a second), so a SIGTERM then still ends the run with
// its summary and exit 1.
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopping.abort());

const { main } = await import('./program.js');
process.exitCode = await main(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stop: stopping.signal,
});
// A Firestore client that lost its server keeps retrying requests for minutes; the run is over.
setTimeout(() => process.exit(), 1_000).unref();
