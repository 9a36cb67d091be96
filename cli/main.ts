#!/usr/bin/env node
import { analyzeHealing } from './analyzeHealing.js';

process.exitCode = await analyzeHealing(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
});
