# shellcheck shell=bash
# The job's settings, checked by the job's own rules: deploy.sh builds the job from this checkout and
# runs auto-batch-cleanup --check-config with exactly the environment the deployed job gets, so a
# value the job would refuse stops the deploy with the job's own one-line message (exit 2).
# Sourced by deploy.sh, which sets job_settings, tasks, webhook, work_dir, root and node.
# shellcheck disable=SC2154

# Runs a command with exactly the environment the deployed job gets: its settings, its task, and the
# webhook. Built with the shell's own export in a subshell, never as arguments of env, so the webhook
# is on no command line (where ps shows it to every user of the machine).
run_with_job_environment() (
  local name
  for name in $(compgen -e); do export -n "${name?}"; done
  export PATH="$PATH" "${job_settings[@]}" CLOUD_RUN_TASK_COUNT="$tasks" CLOUD_RUN_TASK_INDEX=0
  if [ -n "$webhook" ]; then export SLACK_WEBHOOK_URL="$webhook"; fi
  exec "$@"
)

# Builds the job from this checkout into the work folder (not dist/, which other tools may be
# using) and runs its --check-config with exactly the environment the deployed job gets.
check_job_settings() {
  local build="$work_dir/build" status=0 answer
  mkdir "$build"
  ln -s "$root/node_modules" "$build/node_modules"
  if ! node_modules/.bin/tsc -p tsconfig.json --noCheck --outDir "$build" >"$work_dir/build.log" 2>&1; then
    cat "$work_dir/build.log" >&2
    fail "the job does not build from this checkout (node_modules/.bin/tsc -p tsconfig.json), so its settings cannot be checked"
  fi
  answer=$(run_with_job_environment "$node" "$build/jobs/main.js" --check-config 2>"$work_dir/check-config") || status=$?
  if [ "$status" -eq 0 ] && [ "$answer" = 'configuration ok' ]; then
    say "the job's settings pass its own check (auto-batch-cleanup --check-config): $answer"
  elif [ "$status" -eq 2 ]; then
    head -n 1 "$work_dir/check-config" >&2
    printf 'deploy: the job refuses these settings (auto-batch-cleanup --check-config); nothing was deployed\n' >&2
    exit 2
  else
    cat "$work_dir/check-config" >&2
    fail "auto-batch-cleanup --check-config exited with status $status${answer:+ saying \"$answer\"}"
  fi
  local setting
  for setting in "${job_settings[@]}"; do
    [[ $setting != *,* ]] || usage_error "${setting%%=*} cannot contain a comma (gcloud --set-env-vars separates with commas)"
  done
}
