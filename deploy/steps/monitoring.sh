# shellcheck shell=bash
# Step "monitoring": Cloud Monitoring watches the healer. Log-based metrics from the job's run
# summary (deploy/monitoring/metrics/NAME.json, one metric per file), the alert policies
# (deploy/monitoring/policies/*.json, found again by display name) sent to --notification-channels,
# and the dashboard (deploy/monitoring/dashboard.json). Each is created, or updated from its file
# when it exists. Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly monitoring_dir=deploy/monitoring
# Seconds between tries while Monitoring does not know a new log-based metric yet (6 tries).
readonly monitoring_retry_seconds=${MONITORING_RETRY_SECONDS:-20}

step_monitoring() {
  step monitoring "Cloud Monitoring: log-based metrics, alert policies and the dashboard"
  local file name
  for file in "$monitoring_dir"/metrics/*.json; do
    name=$(basename "$file" .json)
    if probe gcloud logging metrics describe "$name" --project="$project" --format='value(name)'; then
      run gcloud logging metrics update "$name" --project="$project" --config-from-file="$file"
    else
      run gcloud logging metrics create "$name" --project="$project" --config-from-file="$file"
    fi
  done

  if [ -z "$notification_channels" ]; then
    say "warning: no --notification-channels: the alert policies open incidents in the console but notify nobody"
  fi
  for file in "$monitoring_dir"/policies/*.json; do ensure_policy "$file"; done
  ensure_dashboard "$monitoring_dir/dashboard.json"
}

# An alert policy has no name of its own choosing, so it is found by its display name.
ensure_policy() {
  local file=$1 display_name matches policy channels
  display_name=$(json get "$file" displayName)
  [ -n "$display_name" ] || fail "$file has no displayName"
  capture gcloud alpha monitoring policies list --project="$project" --filter="displayName=\"$display_name\"" \
    --format='value[separator="|"](name,notificationChannels.join(","))'
  matches=$(grep -c . <<<"$captured" || true)
  if [ "$matches" -gt 1 ]; then
    fail "$matches alert policies are named \"$display_name\"; delete all but one (gcloud alpha monitoring policies list --project=$project) and deploy again"
  fi
  if [ "$matches" -eq 0 ]; then
    local channels_flag=()
    if [ -n "$notification_channels" ]; then channels_flag=(--notification-channels="$notification_channels"); fi
    # Monitoring may not know a log-based metric created seconds ago; that answer means "not yet".
    run_retrying 'cannot find metric|metric.*(does not exist|not found)' 6 "$monitoring_retry_seconds" gcloud alpha monitoring policies create --project="$project" \
      --policy-from-file="$file" "${channels_flag[@]}"
    return
  fi
  IFS='|' read -r policy channels <<<"$captured"
  # The file replaces the whole policy; the channels given now, or else those it has, are set again.
  channels=${notification_channels:-$channels}
  local channels_flag=()
  if [ -n "$channels" ]; then channels_flag=(--set-notification-channels="$channels"); fi
  run gcloud alpha monitoring policies update "$policy" --project="$project" --policy-from-file="$file" "${channels_flag[@]}"
}

# The dashboard is found by its display name too; an update carries the etag of the one it replaces.
ensure_dashboard() {
  local file=$1 display_name matches dashboard etag
  display_name=$(json get "$file" displayName)
  [ -n "$display_name" ] || fail "$file has no displayName"
  capture gcloud monitoring dashboards list --project="$project" --filter="displayName=\"$display_name\"" \
    --format='value[separator="|"](name,etag)'
  matches=$(grep -c . <<<"$captured" || true)
  if [ "$matches" -gt 1 ]; then
    fail "$matches dashboards are named \"$display_name\"; delete all but one (gcloud monitoring dashboards list --project=$project) and deploy again"
  fi
  if [ "$matches" -eq 0 ]; then
    run gcloud monitoring dashboards create --project="$project" --config-from-file="$file"
    return
  fi
  IFS='|' read -r dashboard etag <<<"$captured"
  json with "$file" etag "$etag" >"$work_dir/dashboard.json"
  say "(updating from $file with the etag of the current dashboard)"
  run gcloud monitoring dashboards update "$dashboard" --project="$project" --config-from-file="$work_dir/dashboard.json"
}
