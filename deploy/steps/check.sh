# shellcheck shell=bash
# Step "check": executes the deployed job once with --check (every query with limit one, and the
# BigQuery table) and waits for it; left out with --skip-check. Sourced by deploy.sh.
# shellcheck disable=SC2154

step_check() {
  step check "Self-check of the deployed job ($job_name --check)"
  # One task, whatever --tasks the job runs with: the check is the same in each.
  local status=0 execute=(gcloud run jobs execute "$job_name" --project="$project" --region="$region" --args=--check --tasks=1 --wait)
  show "${execute[@]}"
  if [ "$dry_run" = true ]; then return 0; fi
  "${execute[@]}" || status=$?
  if [ "$status" -ne 0 ]; then
    fail "the deployed job's self-check failed (gcloud exited with status $status). Its lines, one per check, name what is missing: gcloud logging read 'resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"$job_name\"' --project=$project --freshness=1h --limit=50 --format='value(textPayload,jsonPayload.message)'"
  fi
  say "the self-check passed: every query of the job answers and the table has its columns"
}
