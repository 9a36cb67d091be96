# shellcheck shell=bash
# Helpers of deploy.sh and its steps: printing and running commands, reading answers, and the few
# create-or-update patterns several steps share. Sourced by deploy.sh, which sets the globals used
# here (dry_run, work_dir, project, region, node).
# shellcheck disable=SC2154,SC2034

say() { printf '%s\n' "$*"; }
usage_error() { printf 'deploy: %s (see --help)\n' "$*" >&2; exit 2; }
config_error() { printf 'deploy: %s\n' "$*" >&2; exit 2; }
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

# Like run, but a failure whose message matches PATTERN is tried again up to ATTEMPTS times, WAIT
# seconds apart: for answers that only mean "not yet" (a log-based metric Monitoring does not know yet).
run_retrying() {
  local pattern=$1 attempts=$2 wait=$3
  shift 3
  show "$@"
  if [ "$dry_run" = true ]; then return 0; fi
  local attempt status errors
  for ((attempt = 1; ; attempt++)); do
    status=0
    "$@" 2>"$work_dir/stderr" || status=$?
    errors=$(<"$work_dir/stderr")
    if [ "$status" -eq 0 ]; then
      [ -z "$errors" ] || printf '%s\n' "$errors" >&2
      return 0
    fi
    if [ "$attempt" -ge "$attempts" ] || ! grep -qiE "$pattern" <<<"$errors"; then
      printf '%s\n' "$errors" >&2
      fail "$1 exited with status $status; nothing after it ran"
    fi
    say "not ready yet ($(head -n 1 <<<"$errors")); trying again in ${wait}s ($attempt of $attempts)"
    sleep "$wait"
  done
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

# Reads JSON with deploy/lib/json.mjs: json get FILE PATH, json has FILE PATH, json with FILE KEY VALUE.
json() { "$node" "$root/deploy/lib/json.mjs" "$@"; }

step() {
  current_step=$1
  step_number=$((step_number + 1))
  say ""
  say "==> [$step_number/${#steps[@]}] $2"
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

grant_project_role() {
  run gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$1" \
    --role="$2" --condition=None --format=none
}

# Grants ROLE on one BigQuery table (project:dataset.table) only, not on its dataset.
grant_table_role() {
  run bq --project_id="$project" add-iam-policy-binding --member="serviceAccount:$1" --role="$2" "$3"
}

# Earlier deploys granted ROLE on the whole dataset; the grants on its tables replace that one, so it
# is removed where the dataset's policy has it.
revoke_dataset_role() {
  local member="serviceAccount:$1" role=$2
  capture bq --project_id="$project" get-iam-policy --format=json "$project:$dataset"
  if [ "$dry_run" = true ]; then
    say "(a real run removes $role on the dataset from $1 here, where an earlier deploy granted it)"
    return
  fi
  printf '%s\n' "$captured" >"$work_dir/dataset-policy.json"
  if json binds "$work_dir/dataset-policy.json" "$role" "$member"; then
    run bq --project_id="$project" remove-iam-policy-binding --member="$member" --role="$role" "$project:$dataset"
  fi
}

grant_secret_access() {
  run gcloud secrets add-iam-policy-binding "$secret" --project="$project" \
    --member="serviceAccount:$1" --role=roles/secretmanager.secretAccessor --condition=None --format=none
}

# Lets the scheduler's account start one Cloud Run Job, and nothing else.
grant_invoker() {
  run gcloud run jobs add-iam-policy-binding "$1" --project="$project" --region="$region" \
    --member="serviceAccount:$scheduler_account" --role=roles/run.invoker --format=none
}

# A Cloud Scheduler trigger NAME that starts Cloud Run Job JOB on SCHEDULE in TIME_ZONE, through the
# Cloud Run Admin API as the scheduler's account; created, or updated when it exists.
ensure_trigger() {
  local name=$1 job=$2 cron=$3 time_zone=$4 description=$5
  local settings=(
    --project="$project" --location="$region" --schedule="$cron" --time-zone="$time_zone"
    --uri="https://run.googleapis.com/v2/projects/$project/locations/$region/jobs/$job:run"
    --http-method=POST --oauth-service-account-email="$scheduler_account"
    --oauth-token-scope=https://www.googleapis.com/auth/cloud-platform
    --description="$description"
  )
  if probe gcloud scheduler jobs describe "$name" --project="$project" --location="$region" --format='value(name)'; then
    run gcloud scheduler jobs update http "$name" "${settings[@]}"
  else
    run gcloud scheduler jobs create http "$name" "${settings[@]}"
  fi
}
