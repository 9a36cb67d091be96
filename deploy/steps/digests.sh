# shellcheck shell=bash
# Step "digests": the Slack digests of analyze-healing as two Cloud Run Jobs with fixed arguments,
# healing-digest-daily (--last 24h) and healing-digest-weekly (--last 7d), both --compare --slack,
# from the job's image; their own service account that only reads the events and verdicts tables
# (and runs queries) and the webhook secret;
# and a Cloud Scheduler trigger for each at --digest-time in --digest-tz. Fixed arguments keep the
# scheduler's account at roles/run.invoker (overriding arguments would need more). Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly digest_jobs=(healing-digest-daily healing-digest-weekly)

step_digests() {
  step digests "Slack digests ${digest_jobs[*]}"
  if [ "$slack" = off ]; then
    say "--no-slack: no digest job is made (the digests post to Slack); digest jobs from an earlier deploy are left as they are"
    return
  fi
  ensure_service_account "$digest_account" "healing digests of analyze-healing"
  grant_project_role "$digest_account" roles/bigquery.jobUser
  grant_table_role "$digest_account" roles/bigquery.dataViewer "$table_id"
  grant_table_role "$digest_account" roles/bigquery.dataViewer "$verdict_table_id"
  revoke_dataset_role "$digest_account" roles/bigquery.dataViewer
  grant_secret_access "$digest_account"

  local hour=${digest_time%%:*} minute=${digest_time##*:} name window cron description env_vars
  env_vars="GOOGLE_CLOUD_PROJECT=$project,HEALING_DATASET=$dataset,HEALING_TABLE=$table,HEALING_VERDICT_TABLE=$verdict_table,LOG_LEVEL=$log_level"
  for name in "${digest_jobs[@]}"; do
    if [ "$name" = healing-digest-daily ]; then
      window=24h cron="$((10#$minute)) $((10#$hour)) * * *"
      description="Posts the daily healing digest to Slack at $digest_time $digest_tz"
    else
      window=7d cron="$((10#$minute)) $((10#$hour)) * * $digest_weekday_number"
      description="Posts the weekly healing digest to Slack on ${digest_weekday^}s at $digest_time $digest_tz"
    fi
    run gcloud run jobs deploy "$name" --project="$project" --region="$region" --image="$image" \
      --service-account="$digest_account" --tasks=1 --task-timeout=10m --max-retries=1 --cpu=1 --memory=1Gi \
      --args="analyze-healing,--last,$window,--compare,--slack" --set-env-vars="$env_vars" \
      --set-secrets="SLACK_WEBHOOK_URL=$secret:latest"
    grant_invoker "$name"
    ensure_trigger "$name" "$name" "$cron" "$digest_tz" "$description"
  done
}
