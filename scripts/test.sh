#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: installs dependencies (Node 22 comes with them),
# builds, starts the local emulators through Jest's global setup, runs every test, and ends
# with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
summary=.local/test-summary.txt
mkdir -p .local && rm -f "$summary"

fail_setup() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

bash scripts/install-dependencies.sh || fail_setup "installing dependencies failed"
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build || fail_setup "build failed"
npm run --silent typecheck || fail_setup "type check failed"

command -v shellcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq shellcheck; } ||
  echo "shellcheck could not be installed; the shellcheck test will fail" >&2
command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq strace; } ||
  echo "strace could not be installed; the deploy test that traces every command line will fail" >&2
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } ||
  echo "chromium could not be installed; the --html test in Chromium will fail" >&2

NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning" \
  TEST_SUMMARY_FILE="$summary" jest "$@"
status=$?
if [ -f "$summary" ]; then cat "$summary"; else echo "0 passed, 1 failed"; status=1; fi
exit "$status"
