#!/usr/bin/env bash
# The demo: on the local emulators, seed a realistic day of prediction batches, a week of earlier
# heals with their verdicts and a dozen heals of the last hours awaiting theirs, run a sample
# pipeline service that records its own heals through the healing module, run the
# auto-batch-cleanup job once (it heals the batches, gives the earlier heals their verdicts and
# exports every pending event and verdict), show its summary with the verdict counts, then show
# what analyze-healing reports.
# Set KEEP_LOCAL_STACK=true to leave the emulators running afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Installing dependencies (Node 22 comes with them) and building"
bash scripts/install-dependencies.sh
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build

step "Starting the local Firestore and BigQuery emulators"
bash scripts/local-stack.sh start
if [ "${KEEP_LOCAL_STACK:-}" != "true" ]; then trap 'bash scripts/local-stack.sh stop' EXIT; fi
eval "$(bash scripts/local-stack.sh env)"
export BATCH_COLLECTION=demo_prediction_batches HEALING_COLLECTION=demo_healing_events HEALING_DATASET=demo_orchestration

step "Seeding a day of prediction batches, a week of earlier healing events and heals awaiting their verdicts"
tsx scripts/seedDemo.ts

step "Running a sample pipeline service whose retries, fallbacks, circuit breaker and watchdog record their heals"
tsx scripts/sampleService.ts

step "Running auto-batch-cleanup (its log is one JSON object a line; shown here as text)"
set +e
node dist/jobs/main.js | node scripts/showLog.js
job_status=${PIPESTATUS[0]}
set -e
echo "auto-batch-cleanup exited with $job_status"

if [ -f dist/cli/main.js ]; then
  step "analyze-healing over the past 7 days"
  node dist/cli/main.js --start "$(date -u -d '7 days ago' '+%Y-%m-%d %H:%M')"
  step "analyze-healing for the sample service's retries over the last hour"
  node dist/cli/main.js --type retry --start "$(date -u -d '1 hour ago' '+%Y-%m-%d %H:%M')"
  step "analyze-healing for batch_cleanup over the last 24 hours, as JSON (first lines)"
  node dist/cli/main.js --type batch_cleanup --format json | head -n 25
fi
