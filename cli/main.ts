#!/usr/bin/env node
import { analyzeHealing } from './analyzeHealing.js';

// A reader that stops early (`| head`) has seen what it wanted; that is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await analyzeHealing(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
});
