#!/bin/sh
# Entry point of the container image. `auto-batch-cleanup` (the default command) runs the job, and so
# do its own command words (`gcloud run jobs execute auto-batch-cleanup --args=pause,--reason=...`)
# and options alone; `analyze-healing` runs the CLI; a program of the image (`node`, `sh`) runs as
# given; any other word goes to the job, which names it as an unknown command.
set -eu
app=$(dirname "$0")
job="$app/dist/jobs/main.js"
case "${1:-auto-batch-cleanup}" in
  auto-batch-cleanup)
    if [ "$#" -gt 0 ]; then shift; fi
    exec node "$job" "$@"
    ;;
  analyze-healing)
    shift
    exec node "$app/dist/cli/main.js" "$@"
    ;;
  undo | pause | resume | exclude | include | status | help | -*) exec node "$job" "$@" ;;
  *)
    if command -v "$1" >/dev/null 2>&1; then exec "$@"; fi
    exec node "$job" "$@"
    ;;
esac
