# shellcheck shell=bash
# Step "scheduler": the Cloud Scheduler trigger that starts auto-batch-cleanup every 15 minutes.
# Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly schedule='*/15 * * * *'

step_scheduler() {
  step scheduler "Cloud Scheduler trigger $job_name ($schedule)"
  ensure_trigger "$job_name" "$job_name" "$schedule" Etc/UTC "Runs the Cloud Run Job $job_name every 15 minutes"
}
