// Preloaded with `node --import`: when the job's entry asks for jobs/program.js, says
// "loading jobs/program.js" on stderr and holds that load until a byte arrives on stdin, so a test
// can signal the process while the program is still loading.
import { readSync, writeSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

/** Module hook (it runs on the loader's own thread, so holding it leaves the process's event loop free). */
export async function load(url, context, nextLoad) {
  if (url.endsWith('/jobs/program.js')) {
    writeSync(2, 'loading jobs/program.js\n');
    waitForByte();
  }
  return nextLoad(url, context);
}

function waitForByte() {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (readSync(0, Buffer.alloc(1)) !== 0) return;
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
    Atomics.wait(pause, 0, 0, 10);
  }
}
