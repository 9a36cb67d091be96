#!/usr/bin/env bash
# Deploys auto-batch-cleanup to a Google Cloud project, creating what is missing and updating what
# exists, so it is safe to run again after every change. Run with --help for the steps and options.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly root
readonly schema_file=schemas/healing_events.json
readonly table_options_file=schemas/healing_events.table.json
readonly index_file=deploy/firestore-indexes.txt
readonly job_name=auto-batch-cleanup
readonly image_name=auto-batch-cleanup
readonly scheduler_job=auto-batch-cleanup
readonly schedule='*/15 * * * *'
readonly all_steps=(apis bigquery firestore accounts secret image job scheduler)
readonly apis=(
  run.googleapis.com cloudscheduler.googleapis.com cloudbuild.googleapis.com
  artifactregistry.googleapis.com secretmanager.googleapis.com firestore.googleapis.com
  bigquery.googleapis.com iam.googleapis.com cloudresourcemanager.googleapis.com
)

usage() {
  cat <<'USAGE'
Usage: deploy/deploy.sh --project PROJECT --region REGION [options]

Creates what is missing and updates what exists, in this order (step names for --only):
  apis       enable the Google Cloud APIs the deploy and the job use
  bigquery   the dataset, and the healing events table from schemas/healing_events.json
             (partitioned by day on timestamp, clustered by healing_type); new NULLABLE
             columns are added to an existing table in place
  firestore  the composite indexes listed in deploy/firestore-indexes.txt
  accounts   the job's service account (Firestore user, BigQuery data editor on the dataset,
             BigQuery job user) and the scheduler's (allowed only to run the job)
  secret     the Slack webhook in Secret Manager, readable by the job's account only
  image      the container image, built by Cloud Build into Artifact Registry
  job        the Cloud Run Job auto-batch-cleanup, with the webhook mounted as a secret
  scheduler  the Cloud Scheduler trigger that runs the job every 15 minutes
It prints each step and command, and stops at the first error with the tool's message.

Options (environment variable in brackets; a flag wins):
  --project ID            Google Cloud project [GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT]
  --region REGION         region of the job, scheduler and image repository, e.g. europe-west1
                          [REGION, CLOUDSDK_RUN_REGION]
  --bq-location LOC       location of a new BigQuery dataset [BQ_LOCATION; default US]
  --repository NAME       Artifact Registry repository [ARTIFACT_REPOSITORY; default auto-batch-cleanup]
  --image-tag TAG         image tag [IMAGE_TAG; default the git commit, plus a timestamp when the
                          checkout has uncommitted changes]; an existing tag is not rebuilt
  --secret NAME           Secret Manager secret for the webhook
                          [SLACK_SECRET; default auto-batch-cleanup-slack-webhook]
  --slack-webhook-file F  read the webhook from file F [SLACK_WEBHOOK_FILE]; otherwise from
                          SLACK_WEBHOOK_URL. Without either, an existing secret is kept.
  --no-slack              deploy without Slack; the job sends alerts to its log only
  --tasks N               tasks per execution [TASKS; default 1]
  --task-timeout T        time limit of a task, e.g. 600s or 10m [TASK_TIMEOUT; default 10m]
  --max-retries N         retries of a failed task [MAX_RETRIES; default 0: the next run comes
                          15 minutes later, and a safety-brake stop is not worth repeating]
  --job-dry-run           deploy the job with DRY_RUN=true: it finds and reports, changes nothing
                          [JOB_DRY_RUN]
  --only STEP[,STEP]      run only these steps
  --dry-run               print every command without running any (assumes nothing exists yet)
  -h, --help              show this help

The job's settings come from the environment at deploy time (defaults in brackets):
  BATCH_COLLECTION [prediction_batches]  HEALING_COLLECTION [healing_events]
  HEALING_DATASET [nba_orchestration]    HEALING_TABLE [healing_events]
  STALL_MINUTES [15]  MIN_COMPLETION_PCT [90]  MAX_AGE_HOURS [24]  MAX_HEALS_PER_RUN [25]
  LOG_LEVEL [info]
They are set on the job as a whole on every deploy, so pass the same values each time.

Exit status: 0 deployed (or planned), 1 a step failed, 2 usage or configuration error.
USAGE
}

say() { printf '%s\n' "$*"; }
usage_error() { printf 'deploy: %s (see --help)\n' "$*" >&2; exit 2; }
fail() { printf 'deploy: stopped in step "%s": %s\n' "${current_step:-setup}" "$*" >&2; exit 1; }

# Prints a command as it would be typed; values that need it are single-quoted.
show() {
  local line='+' arg prefix value
  for arg in "$@"; do
    prefix='' value=$arg
    if [[ $arg =~ ^(--[A-Za-z0-9_-]+=)(.*)$ ]]; then prefix=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}; fi
    if [[ -n $value && ! $value =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]] || [[ -z $value && -z $prefix ]]; then
      value="'${value//\'/\'\\\'\'}'"
    fi
    line+=" $prefix$value"
  done
  say "$line"
}

# Prints and runs a command; a failure stops the deploy with the tool's own message above ours.
run() {
  show "$@"
  if [ "$dry_run" = true ]; then return 0; fi
  local status=0
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then fail "$1 exited with status $status; nothing after it ran"; fi
}

# Like run, with the standard input taken from a value that is never printed (a secret).
run_with_input() {
  local input=$1 input_name=$2
  shift 2
  say "$(show "$@") < $input_name"
  if [ "$dry_run" = true ]; then return 0; fi
  local status=0
  printf '%s' "$input" | "$@" || status=$?
  if [ "$status" -ne 0 ]; then fail "$1 exited with status $status; nothing after it ran"; fi
}

# Prints and runs a describe/show command. Returns 0 when the resource exists, with the tool's
# output in $found; 1 when the tool answers "not found". Any other failure stops the deploy.
# A dry run runs nothing and answers "not found", so the plan shows what a new project gets.
probe() {
  show "$@"
  found=''
  if [ "$dry_run" = true ]; then return 1; fi
  local status=0 errors
  found=$("$@" 2>"$work_dir/stderr") || status=$?
  errors=$(<"$work_dir/stderr")
  if [ "$status" -eq 0 ]; then return 0; fi
  if ! grep -qiE 'permission|denied|unauthenticated|forbidden' <<<"$errors $found" &&
    grep -qiE 'not[ _]found|cannot find' <<<"$errors $found"; then
    found=''
    return 1
  fi
  printf '%s\n' "$errors" >&2
  if [[ $1 == bq ]]; then printf '%s\n' "$found" >&2; fi
  fail "$1 exited with status $status; nothing after it ran"
}

# Prints and runs a read-only command whose output the deploy needs; a dry run gets no output.
capture() {
  show "$@"
  captured=''
  if [ "$dry_run" = true ]; then return 0; fi
  local status=0
  captured=$("$@") || status=$?
  if [ "$status" -ne 0 ]; then fail "$1 exited with status $status; nothing after it ran"; fi
}

step() {
  current_step=$1
  step_number=$((step_number + 1))
  say ""
  say "==> [$step_number/${#steps[@]}] $2"
}

# ---- options -------------------------------------------------------------------------------

project=${GOOGLE_CLOUD_PROJECT:-${CLOUDSDK_CORE_PROJECT:-}}
region=${REGION:-${CLOUDSDK_RUN_REGION:-}}
bq_location=${BQ_LOCATION:-US}
repository=${ARTIFACT_REPOSITORY:-auto-batch-cleanup}
image_tag=${IMAGE_TAG:-}
secret=${SLACK_SECRET:-auto-batch-cleanup-slack-webhook}
webhook_file=${SLACK_WEBHOOK_FILE:-}
slack=on
tasks=${TASKS:-1}
task_timeout=${TASK_TIMEOUT:-10m}
max_retries=${MAX_RETRIES:-0}
job_dry_run=${JOB_DRY_RUN:-false}
only=''
dry_run=false

if [ -n "${DRY_RUN:-}" ]; then
  usage_error "DRY_RUN is set in the environment, which is ambiguous here: pass --dry-run to plan the deploy, or --job-dry-run (JOB_DRY_RUN=true) to deploy the job in dry-run mode"
fi

while [ "$#" -gt 0 ]; do
  option=$1 value=''
  case $option in
    --*=*) value=${option#*=} option=${option%%=*} ;;
    --project | --region | --bq-location | --repository | --image-tag | --secret | \
      --slack-webhook-file | --tasks | --task-timeout | --max-retries | --only)
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
    --image-tag) image_tag=$value ;;
    --secret) secret=$value ;;
    --slack-webhook-file) webhook_file=$value ;;
    --no-slack) slack=off ;;
    --tasks) tasks=$value ;;
    --task-timeout) task_timeout=$value ;;
    --max-retries) max_retries=$value ;;
    --job-dry-run) job_dry_run=true ;;
    --only) only=$value ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option: $option" ;;
  esac
  shift
done

batch_collection=${BATCH_COLLECTION:-prediction_batches}
healing_collection=${HEALING_COLLECTION:-healing_events}
dataset=${HEALING_DATASET:-nba_orchestration}
table=${HEALING_TABLE:-healing_events}
stall_minutes=${STALL_MINUTES:-15}
min_completion_pct=${MIN_COMPLETION_PCT:-90}
max_age_hours=${MAX_AGE_HOURS:-24}
max_heals_per_run=${MAX_HEALS_PER_RUN:-25}
log_level=${LOG_LEVEL:-info}

matches() { [[ $2 =~ $3 ]] || usage_error "$1 must be $4, got \"$2\""; }
[ -n "$project" ] || usage_error "no project: pass --project or set GOOGLE_CLOUD_PROJECT"
[ -n "$region" ] || usage_error "no region: pass --region or set REGION"
matches --project "$project" '^[a-z][-a-z0-9.:]*[a-z0-9]$' 'a Google Cloud project id'
matches --region "$region" '^[a-z]+-[a-z]+[0-9]+$' 'a region such as europe-west1'
matches --bq-location "$bq_location" '^[A-Za-z0-9-]+$' 'a BigQuery location such as US or europe-west1'
matches --repository "$repository" '^[a-z][-a-z0-9]*$' 'lowercase letters, digits and dashes'
matches --secret "$secret" '^[A-Za-z0-9_-]+$' 'letters, digits, dashes and underscores'
matches --tasks "$tasks" '^[1-9][0-9]*$' 'a whole number of at least 1'
matches --task-timeout "$task_timeout" '^[1-9][0-9]*[smh]?$' 'a duration such as 600s or 10m'
matches --max-retries "$max_retries" '^[0-9]+$' 'a whole number'
matches JOB_DRY_RUN "$job_dry_run" '^(true|false)$' 'true or false'
matches BATCH_COLLECTION "$batch_collection" '^[A-Za-z0-9_-]+$' 'letters, digits, dashes and underscores'
matches HEALING_COLLECTION "$healing_collection" '^[A-Za-z0-9_-]+$' 'letters, digits, dashes and underscores'
matches HEALING_DATASET "$dataset" '^[A-Za-z_][A-Za-z0-9_]*$' 'letters, digits and underscores'
matches HEALING_TABLE "$table" '^[A-Za-z_][A-Za-z0-9_]*$' 'letters, digits and underscores'
matches STALL_MINUTES "$stall_minutes" '^[0-9]+(\.[0-9]+)?$' 'a positive number'
matches MIN_COMPLETION_PCT "$min_completion_pct" '^[0-9]+(\.[0-9]+)?$' 'a number from 0 to 100'
matches MAX_AGE_HOURS "$max_age_hours" '^[0-9]+(\.[0-9]+)?$' 'a positive number'
matches MAX_HEALS_PER_RUN "$max_heals_per_run" '^[1-9][0-9]*$' 'a whole number of at least 1'
matches LOG_LEVEL "$log_level" '^(debug|info|warn|error)$' 'debug, info, warn or error'

steps=("${all_steps[@]}")
if [ -n "$only" ]; then
  IFS=',' read -r -a requested <<<"$only"
  steps=()
  for name in "${all_steps[@]}"; do
    for wanted in "${requested[@]}"; do [ "$wanted" = "$name" ] && steps+=("$name"); done
  done
  for wanted in "${requested[@]}"; do
    [[ " ${all_steps[*]} " == *" $wanted "* ]] || usage_error "unknown step \"$wanted\" in --only; steps are: ${all_steps[*]}"
  done
fi

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
  if [ -n "$webhook" ] && [[ ! $webhook =~ ^https?://[^[:space:]]+$ ]]; then
    usage_error "the Slack webhook $webhook_source is not an http(s) URL"
  fi
fi

# Paths from here on are relative to the checkout's top folder, which is also what Cloud Build uploads.
cd "$root"

# The table's partitioning, clustering and description, read from the file the programs use.
table_options=$(tr -d '\n' <"$table_options_file")
json_string() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" <<<"$2"; }
partitioning=$(sed -n 's/.*"timePartitioning"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p' <<<"$table_options")
partition_type=$(json_string type "$partitioning")
partition_field=$(json_string field "$partitioning")
clustering_fields=$(sed -n 's/.*"clustering"[[:space:]]*:[[:space:]]*{[^}]*"fields"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p' <<<"$table_options" | tr -d '" ')
table_description=$(json_string description "${table_options%%\"timePartitioning\"*}")
[[ $partition_type =~ ^(DAY|HOUR|MONTH|YEAR)$ && $partition_field =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
  fail "cannot read timePartitioning (type and field) from $table_options_file"
[[ $clustering_fields =~ ^[A-Za-z_][A-Za-z0-9_,]*$ ]] || fail "cannot read clustering.fields from $table_options_file"

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
readonly table_id="$project:$dataset.$table"

work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
current_step=''
step_number=0

# ---- steps ---------------------------------------------------------------------------------

step_apis() {
  step apis "Enable the APIs"
  run gcloud services enable "${apis[@]}" --project="$project"
}

column_names() { grep -o '"name"[[:space:]]*:[[:space:]]*"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'; }

step_bigquery() {
  step bigquery "BigQuery dataset $dataset and table $table"
  if probe bq --project_id="$project" show --format=json "$project:$dataset"; then
    say "dataset $dataset exists"
  else
    run bq --project_id="$project" mk --dataset --location="$bq_location" \
      --description="Self-healing records of the batch pipelines" "$project:$dataset"
  fi

  if ! probe bq --project_id="$project" show --format=json "$table_id"; then
    run bq --project_id="$project" mk --table --schema="$schema_file" \
      --time_partitioning_type="$partition_type" --time_partitioning_field="$partition_field" \
      --clustering_fields="$clustering_fields" --description="$table_description" "$table_id"
    return
  fi
  local existing wanted missing=() name flat
  existing=$(column_names <<<"$found")
  wanted=$(column_names <"$schema_file")
  for name in $wanted; do
    grep -qxF "$name" <<<"$existing" || missing+=("$name")
  done
  for name in $existing; do
    grep -qxF "$name" <<<"$wanted" ||
      fail "table $table_id has a column $name that $schema_file lacks; add it to the schema file (columns are never dropped)"
  done
  flat=$(tr -d ' \n\t' <<<"$found")
  if [[ $flat != *'"timePartitioning":'* ]]; then
    say "warning: table $table_id is not partitioned; BigQuery cannot add partitioning in place." \
      "It keeps working, but queries scan the whole table. To partition it, copy it into a new" \
      "partitioned table (bq query --destination_table ... --time_partitioning_field=$partition_field) and swap the names."
  fi
  local clustered=false
  [[ $flat == *"\"clustering\":{\"fields\":[\"${clustering_fields//,/\",\"}\"]}"* ]] && clustered=true
  if [ "${#missing[@]}" -eq 0 ] && [ "$clustered" = true ]; then
    say "table $table exists with every column of $(basename "$schema_file") and its clustering"
    return
  fi
  if [ "${#missing[@]}" -gt 0 ]; then say "adding NULLABLE columns to $table: ${missing[*]}"; fi
  run bq --project_id="$project" update --clustering_fields="$clustering_fields" \
    --description="$table_description" "$table_id" "$schema_file"
}

collection_for() {
  case $1 in
    BATCH_COLLECTION) printf '%s' "$batch_collection" ;;
    HEALING_COLLECTION) printf '%s' "$healing_collection" ;;
    *) fail "$index_file names an unknown collection setting \"$1\"" ;;
  esac
}

step_firestore() {
  step firestore "Firestore composite indexes from $index_file"
  capture gcloud firestore indexes composite list --project="$project" \
    --format='value[separator="|"](name.segment(-3),queryScope,fields[].fieldPath.join(","),fields[].order.join(","))'
  # Firestore appends __name__ to every index it lists; compare without it.
  local existing=() collection_group scope paths orders
  while IFS='|' read -r collection_group scope paths orders; do
    [ -n "$collection_group" ] || continue
    if [[ $paths == *,__name__ ]]; then paths=${paths%,__name__} orders=${orders%,*}; fi
    existing+=("$collection_group|$scope|$paths|$orders")
  done <<<"$captured"

  local setting fields field path order collection key configs line_number=0 created=0
  while read -r setting fields || [ -n "$setting" ]; do
    line_number=$((line_number + 1))
    [[ -z $setting || $setting == \#* ]] && continue
    collection=$(collection_for "$setting")
    paths='' orders='' configs=()
    for field in $fields; do
      path=${field%%:*} order=${field##*:}
      case $order in
        asc) order=ASCENDING ;;
        desc) order=DESCENDING ;;
        *) fail "$index_file line $line_number: \"$field\" must be field:asc or field:desc" ;;
      esac
      paths+=",$path" orders+=",$order"
      configs+=("--field-config=field-path=$path,order=${order,,}")
    done
    key="$collection|COLLECTION|${paths#,}|${orders#,}"
    if [[ " ${existing[*]} " == *" $key "* ]]; then
      say "index exists: $collection (${paths#,})"
    else
      run gcloud firestore indexes composite create --project="$project" \
        --collection-group="$collection" --query-scope=collection "${configs[@]}" --async
      created=$((created + 1))
    fi
  done <"$index_file"
  if [ "$created" -gt 0 ]; then
    say "new indexes build in the background; gcloud firestore indexes composite list --project=$project shows their state"
  fi
}

ensure_service_account() {
  local email=$1 description=$2
  if probe gcloud iam service-accounts describe "$email" --project="$project" --format='value(email)'; then
    say "service account $email exists"
  else
    run gcloud iam service-accounts create "${email%%@*}" --project="$project" \
      --display-name="$description" --description="$description"
  fi
}

step_accounts() {
  step accounts "Service accounts and their roles"
  ensure_service_account "$job_account" "auto-batch-cleanup job"
  ensure_service_account "$scheduler_account" "Cloud Scheduler trigger of auto-batch-cleanup"
  local role
  for role in roles/datastore.user roles/bigquery.jobUser; do
    run gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$job_account" \
      --role="$role" --condition=None --format=none
  done
  run bq --project_id="$project" add-iam-policy-binding --member="serviceAccount:$job_account" \
    --role=roles/bigquery.dataEditor "$project:$dataset"
  say "the scheduler's account gets roles/run.invoker on the job itself in the job step"
}

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
  run gcloud secrets add-iam-policy-binding "$secret" --project="$project" \
    --member="serviceAccount:$job_account" --role=roles/secretmanager.secretAccessor --condition=None --format=none
}

step_image() {
  step image "Container image $image"
  if probe gcloud artifacts repositories describe "$repository" --project="$project" --location="$region" --format='value(name)'; then
    say "repository $repository exists"
  else
    run gcloud artifacts repositories create "$repository" --project="$project" --location="$region" \
      --repository-format=docker --description="Images of auto-batch-cleanup"
  fi
  if probe gcloud artifacts docker images describe "$image" --project="$project" --format='value(image_summary.digest)'; then
    say "image $image_tag exists; not rebuilding it"
  else
    run gcloud builds submit . --project="$project" --tag="$image"
  fi
}

step_job() {
  step job "Cloud Run Job $job_name"
  local env_vars secrets_flag=--clear-secrets
  env_vars="GOOGLE_CLOUD_PROJECT=$project,BATCH_COLLECTION=$batch_collection"
  env_vars+=",HEALING_COLLECTION=$healing_collection,HEALING_DATASET=$dataset,HEALING_TABLE=$table"
  env_vars+=",STALL_MINUTES=$stall_minutes,MIN_COMPLETION_PCT=$min_completion_pct,MAX_AGE_HOURS=$max_age_hours"
  env_vars+=",MAX_HEALS_PER_RUN=$max_heals_per_run,DRY_RUN=$job_dry_run,LOG_LEVEL=$log_level"
  if [ "$slack" = on ]; then secrets_flag="--set-secrets=SLACK_WEBHOOK_URL=$secret:latest"; fi
  run gcloud run jobs deploy "$job_name" --project="$project" --region="$region" --image="$image" \
    --service-account="$job_account" --tasks="$tasks" --task-timeout="$task_timeout" \
    --max-retries="$max_retries" --cpu=1 --memory=512Mi --set-env-vars="$env_vars" "$secrets_flag"
  run gcloud run jobs add-iam-policy-binding "$job_name" --project="$project" --region="$region" \
    --member="serviceAccount:$scheduler_account" --role=roles/run.invoker --format=none
}

step_scheduler() {
  step scheduler "Cloud Scheduler trigger $scheduler_job ($schedule)"
  local settings=(
    --project="$project" --location="$region" --schedule="$schedule" --time-zone=Etc/UTC
    --uri="https://run.googleapis.com/v2/projects/$project/locations/$region/jobs/$job_name:run"
    --http-method=POST --oauth-service-account-email="$scheduler_account"
    --oauth-token-scope=https://www.googleapis.com/auth/cloud-platform
    --description="Runs the Cloud Run Job $job_name every 15 minutes"
  )
  if probe gcloud scheduler jobs describe "$scheduler_job" --project="$project" --location="$region" --format='value(name)'; then
    run gcloud scheduler jobs update http "$scheduler_job" "${settings[@]}"
  else
    run gcloud scheduler jobs create http "$scheduler_job" "${settings[@]}"
  fi
}

# ---- main ----------------------------------------------------------------------------------

if [ "$dry_run" = true ]; then
  say "Dry run: printing every command, running none. Each check is assumed to answer \"not found\";"
  say "on a project where things exist, the real run updates them instead of creating them."
fi
say "Deploying $job_name to project $project, region $region"
say "image $image; job account $job_account; scheduler account $scheduler_account"
for name in "${steps[@]}"; do "step_$name"; done
current_step=''
say ""
if [ "$dry_run" = true ]; then
  say "Dry run complete; nothing was changed."
else
  say "Done: ${steps[*]}."
fi
if [[ " ${steps[*]} " == *" job "* ]]; then
  say "Run the job once now with:"
  say "  gcloud run jobs execute $job_name --project=$project --region=$region --wait"
fi
