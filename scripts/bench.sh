#!/usr/bin/env bash
# Runs one benchmark file (*.bench.ts) against the local emulators and prints its figures.
#   scripts/bench.sh jobs/runCleanup.bench.ts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -ge 1 ] || { echo "usage: $0 FILE.bench.ts" >&2; exit 2; }
bash scripts/install-dependencies.sh
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/local-stack.sh start
if [ "${KEEP_LOCAL_STACK:-}" != "true" ]; then trap 'bash scripts/local-stack.sh stop' EXIT; fi
eval "$(bash scripts/local-stack.sh env)"
tsx "$@"
