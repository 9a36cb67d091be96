#!/bin/sh
# Entry point of the container image. `auto-batch-cleanup` (the default command) runs the job,
# `analyze-healing` runs the CLI, options alone go to the job, and anything else runs as given.
set -eu
app=$(dirname "$0")
case "${1:-auto-batch-cleanup}" in
  auto-batch-cleanup)
    if [ "$#" -gt 0 ]; then shift; fi
    exec node "$app/dist/jobs/main.js" "$@"
    ;;
  analyze-healing)
    shift
    exec node "$app/dist/cli/main.js" "$@"
    ;;
  -*) exec node "$app/dist/jobs/main.js" "$@" ;;
  *) exec "$@" ;;
esac
