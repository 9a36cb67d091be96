#!/usr/bin/env bash
# Deploys auto-batch-cleanup to a Google Cloud project, creating what is missing and updating what
# exists, so it is safe to run again after every change. Run with --help for the steps and options.
# This file validates, prints the plan and runs the steps; each step is deploy/steps/NAME.sh, and
# what is data (metrics, alert policies, dashboard, indexes) lives beside them as files.
# Variables set here are read by the steps, which are sourced below.
# shellcheck disable=SC2034
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly root
readonly job_name=auto-batch-cleanup
readonly image_name=auto-batch-cleanup
readonly all_steps=(apis bigquery firestore accounts secret image job digests monitoring indexes scheduler check)

usage() {
  cat <<'USAGE'
Usage: deploy/deploy.sh --project PROJECT --region REGION [options]

Needs the project's dependencies (npm install in the checkout): the job's settings are checked
with the job's own rules, by building it and running auto-batch-cleanup --check-config.

Creates what is missing and updates what exists, in this order (step names for --only):
  apis        enable the Google Cloud APIs the deploy and the job use
  bigquery    the dataset; the healing events table from schemas/healing_events.json
              (partitioned by day on timestamp, clustered by healing_type) and the heal verdicts
              table from schemas/heal_verdicts.json (partitioned by day on checked_at), new
              NULLABLE columns added to an existing table in place; and the view
              <HEALING_TABLE>_unique, one row per healing_id (the earliest), for readers other
              than analyze-healing
  firestore   the composite indexes of deploy/firestore.indexes.json (the Firebase CLI's format,
              naming the default collections; each is mapped to the configured one:
              prediction_batches to BATCH_COLLECTION, healing_events to HEALING_COLLECTION,
              healing_events_SUFFIX to HEALING_COLLECTION_SUFFIX)
  accounts    the job's service account (Firestore user; BigQuery data editor on the events
              and verdicts tables only, not the dataset; BigQuery job user) and the scheduler's
              (allowed only to start the jobs); a data editor role on the dataset from an earlier
              deploy is removed
  secret      the Slack webhook in Secret Manager, readable by the job's and the digests' accounts
  image       the container image, built by Cloud Build into Artifact Registry as its own service
              account (Artifact Registry writer on the repository, Storage object viewer on the
              bucket the source is uploaded to, log writer; nothing else), from the files
              .gcloudignore lets through and deploy/cloudbuild.yaml
  job         the Cloud Run Job auto-batch-cleanup, with the webhook mounted as a secret
  digests     the Cloud Run Jobs healing-digest-daily (analyze-healing --last 24h --compare
              --slack) and healing-digest-weekly (--last 7d), their service account (reads
              the events and verdicts tables, runs queries, reads the webhook secret; nothing
              else) and their Cloud Scheduler triggers
  monitoring  in Cloud Monitoring: log-based metrics from the job's run summary, the alert
              policies "auto-batch-cleanup is not running" (no run summary for 45 minutes),
              "auto-batch-cleanup run failed or hit the safety brake" and "auto-batch-cleanup
              events pending export grew for an hour" (a run ends with more pending_export than
              a run an hour earlier), and a dashboard; their definitions are the files in
              deploy/monitoring/
  indexes     wait until every Firestore index is READY (new ones take minutes to build)
  scheduler   the Cloud Scheduler trigger that runs the job every 15 minutes
  check       execute the deployed job once with --check and wait: every query it makes, and the
              BigQuery table (left out with --skip-check)
It prints each step and command, and stops at the first error with the tool's message.

Options (environment variable in brackets; a flag wins):
  --project ID            Google Cloud project [GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT]
  --region REGION         region of the jobs, triggers and image repository, e.g. europe-west1
                          [REGION, CLOUDSDK_RUN_REGION]
  --bq-location LOC       location of a new BigQuery dataset [BQ_LOCATION; default US]
  --repository NAME       Artifact Registry repository [ARTIFACT_REPOSITORY; default auto-batch-cleanup]
  --build-bucket NAME     Cloud Storage bucket the image's source is uploaded to for Cloud Build,
                          made in --region [BUILD_BUCKET; default PROJECT-auto-batch-cleanup-build]
  --image-tag TAG         image tag [IMAGE_TAG; default the git commit, plus a timestamp when the
                          checkout has uncommitted changes]; an existing tag is not rebuilt
  --secret NAME           Secret Manager secret for the webhook
                          [SLACK_SECRET; default auto-batch-cleanup-slack-webhook]
  --slack-webhook-file F  read the webhook from file F [SLACK_WEBHOOK_FILE]; otherwise from
                          SLACK_WEBHOOK_URL. Without either, an existing secret is kept.
  --no-slack              deploy without Slack: the job sends alerts to its log only, and no
                          digest job is made
  --notification-channels CHANNELS
                          Cloud Monitoring notification channels of the alert policies, comma-
                          separated ids or full names (projects/P/notificationChannels/ID)
                          [NOTIFICATION_CHANNELS]; without it an existing policy keeps its channels
  --digest-time HH:MM     time of day of the digests [DIGEST_TIME; default 08:00]
  --digest-tz ZONE        time zone of --digest-time, e.g. Europe/Paris [DIGEST_TZ; default Etc/UTC]
  --digest-weekday DAY    day of the weekly digest, monday to sunday [DIGEST_WEEKDAY; default monday]
  --tasks N               tasks per execution [TASKS; default 1]
  --task-timeout T        time limit of a task, e.g. 600s or 10m [TASK_TIMEOUT; default 10m]
  --max-retries N         retries of a failed task [MAX_RETRIES; default 0: the next run comes
                          15 minutes later, and a safety-brake stop is not worth repeating]
  --job-dry-run           deploy the job with DRY_RUN=true: it finds and reports, changes nothing
                          [JOB_DRY_RUN]
  --index-wait TIME       how long the indexes step waits for new indexes to build, e.g. 30m
                          or 1h [INDEX_WAIT; default 30m]
  --skip-check            leave out the final self-check of the deployed job
  --only STEP[,STEP]      run only these steps
  --dry-run               print every command without running any (assumes nothing exists yet)
  -h, --help              show this help

The job's settings come from the environment at deploy time (defaults in brackets):
  BATCH_COLLECTION [prediction_batches]  HEALING_COLLECTION [healing_events]
  HEALING_DATASET [nba_orchestration]    HEALING_TABLE [healing_events]
  HEALING_VERDICT_TABLE [heal_verdicts]  VERIFY_MINUTES [60]  VERIFY_HOURS [24]
  STALL_MINUTES [15]  MIN_COMPLETION_PCT [90]  MAX_AGE_HOURS [24]  MAX_HEALS_PER_RUN [25]
  EXPORT_DEADLINE_SECONDS [60]  SLACK_DEADLINE_SECONDS [15]  LOG_LEVEL [info]
They are checked by the job itself before anything runs (a value it refuses stops the deploy with
its message, exit 2), and set on the job as a whole on every deploy, so pass the same values each time.

Exit status: 0 deployed (or planned), 1 a step failed, 2 usage or configuration error.
USAGE
}

# shellcheck source=/dev/null
source "$root/deploy/lib/common.sh"

# ---- options -------------------------------------------------------------------------------

project=${GOOGLE_CLOUD_PROJECT:-${CLOUDSDK_CORE_PROJECT:-}}
region=${REGION:-${CLOUDSDK_RUN_REGION:-}}
bq_location=${BQ_LOCATION:-US}
repository=${ARTIFACT_REPOSITORY:-auto-batch-cleanup}
build_bucket=${BUILD_BUCKET:-}
image_tag=${IMAGE_TAG:-}
secret=${SLACK_SECRET:-auto-batch-cleanup-slack-webhook}
webhook_file=${SLACK_WEBHOOK_FILE:-}
slack=on
notification_channels=${NOTIFICATION_CHANNELS:-}
digest_time=${DIGEST_TIME:-08:00}
digest_tz=${DIGEST_TZ:-Etc/UTC}
digest_weekday=${DIGEST_WEEKDAY:-monday}
tasks=${TASKS:-1}
task_timeout=${TASK_TIMEOUT:-10m}
max_retries=${MAX_RETRIES:-0}
job_dry_run=${JOB_DRY_RUN:-false}
index_wait=${INDEX_WAIT:-30m}
index_poll_seconds=${INDEX_POLL_SECONDS:-15}
skip_check=false
only=''
dry_run=false

if [ -n "${DRY_RUN:-}" ]; then
  usage_error "DRY_RUN is set in the environment, which is ambiguous here: pass --dry-run to plan the deploy, or --job-dry-run (JOB_DRY_RUN=true) to deploy the job in dry-run mode"
fi

while [ "$#" -gt 0 ]; do
  option=$1 value=''
  case $option in
    --*=*) value=${option#*=} option=${option%%=*} ;;
    --project | --region | --bq-location | --repository | --build-bucket | --image-tag | --secret | \
      --slack-webhook-file | --notification-channels | --digest-time | --digest-tz | \
      --digest-weekday | --tasks | --task-timeout | --max-retries | --index-wait | --only)
      [ "$#" -ge 2 ] || usage_error "$option needs a value"
      value=$2
      shift
      ;;
  esac
  case $option in
    --project) project=$value ;;
    --region) region=$value ;;
    --bq-location) bq_location=$value ;;
    --repository) repository=$value ;;
    --build-bucket) build_bucket=$value ;;
    --image-tag) image_tag=$value ;;
    --secret) secret=$value ;;
    --slack-webhook-file) webhook_file=$value ;;
    --no-slack) slack=off ;;
    --notification-channels) notification_channels=$value ;;
    --digest-time) digest_time=$value ;;
    --digest-tz) digest_tz=$value ;;
    --digest-weekday) digest_weekday=$value ;;
    --tasks) tasks=$value ;;
    --task-timeout) task_timeout=$value ;;
    --max-retries) max_retries=$value ;;
    --job-dry-run) job_dry_run=true ;;
    --index-wait) index_wait=$value ;;
    --skip-check) skip_check=true ;;
    --only) only=$value ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option: $option" ;;
  esac
  shift
done

# ---- the deploy's own options (the job's settings are checked by the job, below) -----------

matches() { [[ $2 =~ $3 ]] || usage_error "$1 must be $4, got \"$2\""; }
[ -n "$project" ] || usage_error "no project: pass --project or set GOOGLE_CLOUD_PROJECT"
[ -n "$region" ] || usage_error "no region: pass --region or set REGION"
matches --project "$project" '^[a-z][-a-z0-9.:]*[a-z0-9]$' 'a Google Cloud project id'
matches --region "$region" '^[a-z]+-[a-z]+[0-9]+$' 'a region such as europe-west1'
matches --bq-location "$bq_location" '^[A-Za-z0-9-]+$' 'a BigQuery location such as US or europe-west1'
matches --repository "$repository" '^[a-z][-a-z0-9]*$' 'lowercase letters, digits and dashes'
# A domain-scoped project (example.com:name) has characters a bucket name cannot have.
build_bucket=${build_bucket:-$(tr ':.' '--' <<<"$project")-auto-batch-cleanup-build}
matches --build-bucket "$build_bucket" '^[a-z0-9][-a-z0-9_]{1,61}[a-z0-9]$' 'a bucket name of 3 to 63 lowercase letters, digits, dashes and underscores'
matches --secret "$secret" '^[A-Za-z0-9_-]+$' 'letters, digits, dashes and underscores'
channel='([A-Za-z0-9_-]+|projects/[a-z][-a-z0-9.:]*/notificationChannels/[A-Za-z0-9_-]+)'
matches --notification-channels "$notification_channels" "^($channel(,$channel)*)?$" \
  'comma-separated notification channel ids or full names (projects/PROJECT/notificationChannels/ID)'
matches --digest-time "$digest_time" '^([01][0-9]|2[0-3]):[0-5][0-9]$' 'a time of day HH:MM such as 08:00'
case ${digest_weekday,,} in
  sun | sunday) digest_weekday=sunday digest_weekday_number=0 ;;
  mon | monday) digest_weekday=monday digest_weekday_number=1 ;;
  tue | tuesday) digest_weekday=tuesday digest_weekday_number=2 ;;
  wed | wednesday) digest_weekday=wednesday digest_weekday_number=3 ;;
  thu | thursday) digest_weekday=thursday digest_weekday_number=4 ;;
  fri | friday) digest_weekday=friday digest_weekday_number=5 ;;
  sat | saturday) digest_weekday=saturday digest_weekday_number=6 ;;
  *) usage_error "--digest-weekday must be a day from monday to sunday, got \"$digest_weekday\"" ;;
esac
matches --tasks "$tasks" '^[1-9][0-9]*$' 'a whole number of at least 1'
matches --task-timeout "$task_timeout" '^[1-9][0-9]*[smh]?$' 'a duration such as 600s or 10m'
matches --max-retries "$max_retries" '^[0-9]+$' 'a whole number'
matches --index-wait "$index_wait" '^[1-9][0-9]*[smh]$' 'a duration such as 30m, 1h or 90s'
case $index_wait in
  *s) index_wait_seconds=${index_wait%s} ;;
  *m) index_wait_seconds=$((${index_wait%m} * 60)) ;;
  *h) index_wait_seconds=$((${index_wait%h} * 3600)) ;;
esac
matches INDEX_POLL_SECONDS "$index_poll_seconds" '^[1-9][0-9]*$' 'a whole number of seconds'
matches JOB_DRY_RUN "$job_dry_run" '^(true|false)$' 'true or false'

steps=("${all_steps[@]}")
if [ -n "$only" ]; then
  IFS=',' read -r -a requested <<<"$only"
  for wanted in "${requested[@]}"; do
    [[ " ${all_steps[*]} " == *" $wanted "* ]] || usage_error "unknown step \"$wanted\" in --only; steps are: ${all_steps[*]}"
  done
  steps=()
  for name in "${all_steps[@]}"; do
    [[ ",$only," == *",$name,"* ]] && steps+=("$name")
  done
fi
if [ "$skip_check" = true ]; then
  kept=()
  for name in "${steps[@]}"; do [ "$name" = check ] || kept+=("$name"); done
  steps=("${kept[@]}")
fi
[ "${#steps[@]}" -gt 0 ] || usage_error "no step left to run"

webhook=''
webhook_source=''
if [ "$slack" = on ]; then
  if [ -n "$webhook_file" ]; then
    [ -r "$webhook_file" ] || usage_error "cannot read the webhook file $webhook_file"
    webhook=$(<"$webhook_file")
    webhook_source="(the webhook from $webhook_file)"
  elif [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
    webhook=$SLACK_WEBHOOK_URL
    webhook_source='(the webhook from SLACK_WEBHOOK_URL)'
  fi
fi

# Paths from here on are relative to the checkout's top folder, which Cloud Build gets (what .gcloudignore lets through).
cd "$root"
work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
current_step=''
step_number=0

node=node
if [ -x node_modules/.bin/node ]; then node=$root/node_modules/.bin/node; fi
if [ ! -x node_modules/.bin/tsc ] || ! command -v "$node" >/dev/null; then
  usage_error "the project's dependencies are missing: run npm install in $root first (deploy checks the job's settings with the job itself)"
fi
matches DIGEST_TZ "$digest_tz" '^[A-Za-z0-9_+/-]+$' 'a time zone such as Europe/Paris or Etc/UTC'
json time-zone "$digest_tz" || usage_error "--digest-tz must be a time zone such as Europe/Paris or Etc/UTC, got \"$digest_tz\""

# ---- the job's settings, checked by the job's own rules ------------------------------------

dataset=${HEALING_DATASET:-nba_orchestration}
table=${HEALING_TABLE:-healing_events}
verdict_table=${HEALING_VERDICT_TABLE:-heal_verdicts}
batch_collection=${BATCH_COLLECTION:-prediction_batches}
healing_collection=${HEALING_COLLECTION:-healing_events}
log_level=${LOG_LEVEL:-info}
job_settings=(
  "GOOGLE_CLOUD_PROJECT=$project" "BATCH_COLLECTION=$batch_collection"
  "HEALING_COLLECTION=$healing_collection" "HEALING_DATASET=$dataset" "HEALING_TABLE=$table"
  "HEALING_VERDICT_TABLE=$verdict_table"
  "STALL_MINUTES=${STALL_MINUTES:-15}" "MIN_COMPLETION_PCT=${MIN_COMPLETION_PCT:-90}"
  "MAX_AGE_HOURS=${MAX_AGE_HOURS:-24}" "MAX_HEALS_PER_RUN=${MAX_HEALS_PER_RUN:-25}"
  "VERIFY_MINUTES=${VERIFY_MINUTES:-60}" "VERIFY_HOURS=${VERIFY_HOURS:-24}"
  "DRY_RUN=$job_dry_run" "EXPORT_DEADLINE_SECONDS=${EXPORT_DEADLINE_SECONDS:-60}"
  "SLACK_DEADLINE_SECONDS=${SLACK_DEADLINE_SECONDS:-15}" "LOG_LEVEL=$log_level"
)

matches HEALING_VERDICT_TABLE "$verdict_table" '^[A-Za-z_][A-Za-z0-9_]{0,1023}$' 'a BigQuery table name (letters, digits, underscores)'

# The webhook is checked by the job's rules too; it is never printed.
# shellcheck source=/dev/null
source "$root/deploy/lib/job-settings.sh"
check_job_settings

if [ -z "$image_tag" ]; then
  if commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
    image_tag=$commit
    if [ -n "$(git status --porcelain 2>/dev/null)" ]; then image_tag+="-dirty-$(date -u +%Y%m%d%H%M%S)"; fi
  else
    image_tag=$(date -u +%Y%m%d-%H%M%S)
  fi
fi
matches --image-tag "$image_tag" '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' 'a Docker tag'

readonly registry="$region-docker.pkg.dev/$project/$repository"
readonly image="$registry/$image_name:$image_tag"
readonly job_account="auto-batch-cleanup-job@$project.iam.gserviceaccount.com"
readonly scheduler_account="auto-batch-cleanup-invoker@$project.iam.gserviceaccount.com"
readonly digest_account="healing-digest@$project.iam.gserviceaccount.com"
readonly build_account="auto-batch-cleanup-build@$project.iam.gserviceaccount.com"
readonly table_id="$project:$dataset.$table"
readonly verdict_table_id="$project:$dataset.$verdict_table"

# Every step's file, so a step can use another's helpers (indexes reads the index file as firestore does).
for name in "${all_steps[@]}"; do
  # shellcheck source=/dev/null
  source "$root/deploy/steps/$name.sh"
done
# The Firestore indexes, read once with the configured collection names: a file the deploy cannot
# read stops it here, before any command runs.
firestore_indexes=$(wanted_indexes) || exit $?

# ---- the plan, then the steps --------------------------------------------------------------

if [ "$dry_run" = true ]; then
  say "Dry run: printing every command, running none. Each check is assumed to answer \"not found\";"
  say "on a project where things exist, the real run updates them instead of creating them."
fi
say "Deploying $job_name to project $project, region $region"
say "image $image; job account $job_account; scheduler account $scheduler_account; build account $build_account"
say "steps: ${steps[*]}"
if [ "$slack" = off ]; then say "--no-slack: no Slack secret and no digest job; the job alerts to its log only"; fi
if [ "$skip_check" = true ]; then say "--skip-check: the deployed job is not executed with --check at the end"; fi
for name in "${steps[@]}"; do "step_$name"; done
current_step=''
say ""
if [ "$dry_run" = true ]; then
  say "Dry run complete; nothing was changed."
else
  say "Done: ${steps[*]}."
fi
if [[ " ${steps[*]} " == *" job "* && " ${steps[*]} " != *" check "* ]]; then
  say "Check the deployed job with:"
  say "  gcloud run jobs execute $job_name --project=$project --region=$region --args=--check --tasks=1 --wait"
fi
