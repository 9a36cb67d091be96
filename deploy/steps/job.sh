# shellcheck shell=bash
# Step "job": the Cloud Run Job auto-batch-cleanup with the settings deploy.sh checked with the job's
# own --check-config, and the webhook mounted from Secret Manager. Sourced by deploy.sh.
# shellcheck disable=SC2154

step_job() {
  step job "Cloud Run Job $job_name"
  local env_vars secrets_flag=--clear-secrets
  env_vars=$(IFS=,; printf '%s' "${job_settings[*]}")
  if [ "$slack" = on ]; then secrets_flag="--set-secrets=SLACK_WEBHOOK_URL=$secret:latest"; fi
  run gcloud run jobs deploy "$job_name" --project="$project" --region="$region" --image="$image" \
    --service-account="$job_account" --tasks="$tasks" --task-timeout="$task_timeout" \
    --max-retries="$max_retries" --cpu=1 --memory=512Mi --set-env-vars="$env_vars" "$secrets_flag"
  grant_invoker "$job_name"
}
