# shellcheck shell=bash
# Step "secret": the Slack webhook in Secret Manager, readable by the job's account only (and by the
# digests' account, granted in the digests step). Sourced by deploy.sh.
# shellcheck disable=SC2154

step_secret() {
  step secret "Slack webhook secret $secret"
  if [ "$slack" = off ]; then
    say "--no-slack: no secret; the job sends alerts to its log only"
    return
  fi
  if probe gcloud secrets describe "$secret" --project="$project" --format='value(name)'; then
    if [ -z "$webhook" ]; then
      say "secret $secret exists and no webhook was given; keeping its current value"
    elif probe gcloud secrets versions access latest --secret="$secret" --project="$project" && [ "$found" = "$webhook" ]; then
      say "secret $secret already holds this webhook"
    else
      run_with_input "$webhook" "$webhook_source" gcloud secrets versions add "$secret" --project="$project" --data-file=-
    fi
    found=''
  else
    if [ -z "$webhook" ]; then
      if [ "$dry_run" = true ]; then
        say "(a real run stops here if the secret does not exist: give SLACK_WEBHOOK_URL, --slack-webhook-file or --no-slack)"
        return
      fi
      fail "secret $secret does not exist and no webhook was given: set SLACK_WEBHOOK_URL, pass --slack-webhook-file FILE, or deploy with --no-slack"
    fi
    run gcloud secrets create "$secret" --project="$project" --replication-policy=automatic
    run_with_input "$webhook" "$webhook_source" gcloud secrets versions add "$secret" --project="$project" --data-file=-
  fi
  grant_secret_access "$job_account"
}
