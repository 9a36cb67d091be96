#!/usr/bin/env bash
# A recording stand-in for `gcloud` and `bq` in the deploy tests; link it under both names first on PATH.
# Every call is appended to $FAKE_CLOUD_STATE/calls.log. Resources live as files under
# $FAKE_CLOUD_STATE/resources, so describe/show answers "not found" until a create made them, and a
# second create of the same resource fails with ALREADY_EXISTS like the real tools.
# FAKE_CLOUD_FAIL_ON=TEXT makes every call whose command line contains TEXT fail with
# FAKE_CLOUD_FAIL_MESSAGE on stderr (only its first FAKE_CLOUD_FAIL_TIMES times, when set). Only the commands deploy.sh uses are known; others fail.
# A new Firestore index lists as CREATING for FAKE_CLOUD_INDEX_BUILDING_LISTS lists (default 0), then
# READY. A file a --*-from-file flag names must exist, as gcloud reads it before calling Google.
set -euo pipefail

tool=$(basename "$0")
json_reader="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)/lib/json.mjs"
state=${FAKE_CLOUD_STATE:?FAKE_CLOUD_STATE must name the stand-in state folder}
resources="$state/resources"
mkdir -p "$resources"
printf '%s %s\n' "$tool" "$*" >>"$state/calls.log"

if [ -n "${FAKE_CLOUD_FAIL_ON:-}" ] && [[ "$tool $*" == *"$FAKE_CLOUD_FAIL_ON"* ]]; then
  failures=$(($(cat "$state/failures" 2>/dev/null || echo 0) + 1))
  echo "$failures" >"$state/failures"
  if [ -z "${FAKE_CLOUD_FAIL_TIMES:-}" ] || [ "$failures" -le "$FAKE_CLOUD_FAIL_TIMES" ]; then
    printf '%s\n' "${FAKE_CLOUD_FAIL_MESSAGE:-ERROR: ($tool) simulated failure}" >&2
    exit 1
  fi
fi

# deploy.sh passes every flag as --name=value, so anything else is a positional argument.
all_args=("$@")
words=()
for arg in "$@"; do [[ $arg == -* ]] || words+=("$arg"); done
flag() {
  local arg
  for arg in "${all_args[@]}"; do
    if [[ $arg == "--$1="* ]]; then printf '%s' "${arg#*=}"; return 0; fi
  done
  return 1
}
json_field() { node "$json_reader" get "$1" "$2"; }
from_file() {
  local file
  file=$(flag "$1") || { printf 'ERROR: (%s) --%s is required\n' "$tool" "$1" >&2; exit 1; }
  [ -r "$file" ] || { printf 'ERROR: (%s) Unable to read file [%s]\n' "$tool" "$file" >&2; exit 1; }
  printf '%s' "$file"
}
has_flag() { local arg; for arg in "${all_args[@]}"; do [ "$arg" = "--$1" ] && return 0; done; return 1; }

file_for() { printf '%s/%s/%s' "$resources" "$1" "${2//\//%}"; }
exists() { [ -e "$(file_for "$1" "$2")" ]; }
create() {
  local file
  file=$(file_for "$1" "$2")
  if [ -e "$file" ]; then
    printf 'ERROR: (%s) ALREADY_EXISTS: %s %s already exists\n' "$tool" "$1" "$2" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$file")"
  cat >"$file"
}
store() { mkdir -p "$resources/$1"; cat >"$(file_for "$1" "$2")"; }
not_found() { printf 'ERROR: (gcloud.%s) NOT_FOUND: %s [%s] not found\n' "$1" "$1" "$2" >&2; exit 1; }
describe() { if exists "$1" "$2"; then cat "$(file_for "$1" "$2")"; else not_found "$1" "$2"; fi; }
unknown() { printf 'fake %s: unknown command: %s\n' "$tool" "$*" >&2; exit 3; }

fake_gcloud() {
  local project
  project=$(flag project) || project=''
  case "${words[*]:0:3}" in
    "services enable "*) ;;
    "iam service-accounts describe") describe service-account "${words[3]}" ;;
    "iam service-accounts create") echo created | create service-account "${words[3]}@$project.iam.gserviceaccount.com" ;;
    "projects add-iam-policy-binding "*) printf '%s %s\n' "$(flag member)" "$(flag role)" >>"$state/project-bindings" ;;
    "firestore indexes composite")
      case ${words[3]} in
        list)
          # Each index line ends in |STATE:LISTS_LEFT_WHILE_CREATING; the answer shows the state.
          [ -f "$state/indexes" ] || return 0
          local entry rest left updated=''
          while IFS= read -r entry; do
            rest=${entry%|*} left=${entry##*|}
            if [ "$left" -gt 0 ]; then printf '%s|CREATING\n' "$rest"; left=$((left - 1)); else printf '%s|READY\n' "$rest"; fi
            updated+="$rest|$left"$'\n'
          done <"$state/indexes"
          printf '%s' "$updated" >"$state/indexes"
          ;;
        create)
          # Firestore lists every index with __name__ appended in the direction of the last field.
          local config paths='' orders='' line
          for config in "${all_args[@]}"; do
            [[ $config == --field-config=* ]] || continue
            config=${config#--field-config=field-path=}
            paths+="${config%%,*}," orders+="$(tr '[:lower:]' '[:upper:]' <<<"${config##*order=}"),"
          done
          orders=${orders%,}
          line="$(flag collection-group)|COLLECTION|${paths}__name__|$orders,${orders##*,}"
          if [ -f "$state/indexes" ] && grep -qF "$line|" "$state/indexes"; then
            echo "ERROR: (gcloud.firestore.indexes.composite.create) ALREADY_EXISTS: index already exists" >&2
            exit 1
          fi
          printf '%s|%s\n' "$line" "${FAKE_CLOUD_INDEX_BUILDING_LISTS:-0}" >>"$state/indexes"
          ;;
        *) unknown "$@" ;;
      esac
      ;;
    "secrets describe "*) describe secret "${words[2]}" ;;
    "secrets create "*) echo created | create secret "${words[2]}" ;;
    "secrets versions add")
      exists secret "${words[3]}" || not_found secrets.versions.add "${words[3]}"
      store secret-value "${words[3]}"
      echo "Created version [$(wc -l <"$state/calls.log")] of the secret [${words[3]}]." >&2
      ;;
    "secrets versions access")
      local name
      name=$(flag secret)
      exists secret-value "$name" || not_found secrets.versions.access "$name/versions/latest"
      cat "$(file_for secret-value "$name")"
      ;;
    "secrets add-iam-policy-binding "*)
      exists secret "${words[2]}" || not_found secrets.add-iam-policy-binding "${words[2]}"
      printf '%s %s %s\n' "${words[2]}" "$(flag member)" "$(flag role)" >>"$state/secret-bindings"
      ;;
    "artifacts repositories describe") describe repository "${words[3]}" ;;
    "artifacts repositories create") echo created | create repository "${words[3]}" ;;
    "artifacts docker images") [ "${words[3]}" = describe ] || unknown "$@"; describe image "${words[4]}" ;;
    "artifacts repositories add-iam-policy-binding")
      exists repository "${words[3]}" || not_found artifacts.repositories.add-iam-policy-binding "${words[3]}"
      printf '%s %s %s\n' "${words[3]}" "$(flag member)" "$(flag role)" >>"$state/repository-bindings"
      ;;
    "storage buckets describe") describe bucket "${words[3]}" ;;
    "storage buckets create")
      from_file lifecycle-file >/dev/null
      echo created | create bucket "${words[3]}"
      ;;
    "storage buckets add-iam-policy-binding")
      exists bucket "${words[3]}" || not_found storage.buckets.add-iam-policy-binding "${words[3]}"
      printf '%s %s %s\n' "${words[3]}" "$(flag member)" "$(flag role)" >>"$state/bucket-bindings"
      ;;
    "builds submit "* | "builds submit") fake_build ;;
    "run jobs deploy") printf '%s\n' "${all_args[@]}" | store run-job "${words[3]}" ;;
    "run jobs execute")
      exists run-job "${words[3]}" || not_found run.jobs.execute "${words[3]}"
      ;;
    "logging metrics describe") describe log-metric "${words[3]}" ;;
    "logging metrics create") from_file config-from-file | create log-metric "${words[3]}" ;;
    "logging metrics update")
      exists log-metric "${words[3]}" || not_found logging.metrics.update "${words[3]}"
      from_file config-from-file | store log-metric "${words[3]}"
      ;;
    "alpha monitoring policies") fake_policies "$@" ;;
    "monitoring dashboards list" | "monitoring dashboards create" | "monitoring dashboards update") fake_dashboards "$@" ;;
    "run jobs add-iam-policy-binding")
      exists run-job "${words[3]}" || not_found run.jobs.add-iam-policy-binding "${words[3]}"
      printf '%s %s %s\n' "${words[3]}" "$(flag member)" "$(flag role)" >>"$state/job-bindings"
      ;;
    "scheduler jobs describe") describe scheduler-job "${words[3]}" ;;
    "scheduler jobs create") printf '%s\n' "${all_args[@]}" | create scheduler-job "${words[4]}" ;;
    "scheduler jobs update")
      exists scheduler-job "${words[4]}" || not_found scheduler.jobs.update "${words[4]}"
      printf '%s\n' "${all_args[@]}" | store scheduler-job "${words[4]}"
      ;;
    *) unknown "$@" ;;
  esac
}

# A build from deploy/cloudbuild.yaml as a service account: it reads the source from the staging
# bucket and pushes to the repository, so it fails unless the account may do both.
fake_build() {
  local image account bucket repository
  from_file config >/dev/null
  image=$(flag substitutions) || { echo "ERROR: (gcloud.builds.submit) INVALID_ARGUMENT: key in the template \"_IMAGE\" is not matched" >&2; exit 1; }
  image=${image#_IMAGE=}
  account=$(flag service-account) || { echo "ERROR: (gcloud.builds.submit) stand-in: builds must run as their own --service-account" >&2; exit 1; }
  account=${account##*/}
  bucket=$(flag gcs-source-staging-dir) || { echo "ERROR: (gcloud.builds.submit) stand-in: no --gcs-source-staging-dir" >&2; exit 1; }
  bucket=$(cut -d/ -f1-3 <<<"$bucket")
  repository=$(cut -d/ -f3 <<<"$image")
  exists service-account "$account" || not_found builds.submit "service account $account"
  exists bucket "$bucket" || not_found builds.submit "$bucket"
  exists repository "$repository" || not_found builds.submit "repository of $image"
  if ! grep -qxF "$bucket serviceAccount:$account roles/storage.objectViewer" "$state/bucket-bindings" 2>/dev/null ||
    ! grep -qxF "$repository serviceAccount:$account roles/artifactregistry.writer" "$state/repository-bindings" 2>/dev/null; then
    echo "ERROR: (gcloud.builds.submit) PERMISSION_DENIED: $account may not read $bucket or push to $repository" >&2
    exit 1
  fi
  echo built | create image "$image"
}

# The display name a --filter='displayName="NAME"' asks for.
filtered_name() { local filter; filter=$(flag filter) || return 0; filter=${filter#displayName=\"}; printf '%s' "${filter%\"}"; }
next_id() { printf '%s' "$(wc -l <"$state/calls.log")"; }

# Alert policies are kept by display name as "NAME|CHANNELS", the way the list format asks for them.
fake_policies() {
  local file name
  case ${words[3]} in
    list)
      name=$(filtered_name)
      if exists policy "$name"; then cat "$(file_for policy "$name")"; fi
      ;;
    create)
      file=$(from_file policy-from-file)
      name=$(json_field "$file" displayName)
      printf 'projects/%s/alertPolicies/%s|%s\n' "$(flag project)" "$(next_id)" "$(flag notification-channels || true)" |
        store policy "$name"
      ;;
    update)
      file=$(from_file policy-from-file)
      name=$(json_field "$file" displayName)
      if ! exists policy "$name" || ! grep -q "^${words[4]}|" "$(file_for policy "$name")"; then
        not_found monitoring.policies.update "${words[4]}"
      fi
      printf '%s|%s\n' "${words[4]}" "$(flag set-notification-channels || true)" | store policy "$name"
      ;;
    *) unknown "$@" ;;
  esac
}

# Dashboards are kept by display name as "NAME|ETAG"; an update must carry the current etag.
fake_dashboards() {
  local file name current
  case ${words[2]} in
    list)
      name=$(filtered_name)
      if exists dashboard "$name"; then cat "$(file_for dashboard "$name")"; fi
      ;;
    create)
      file=$(from_file config-from-file)
      name=$(json_field "$file" displayName)
      printf 'projects/%s/dashboards/%s|etag-%s\n' "$(flag project)" "$(next_id)" "$(next_id)" | create dashboard "$name"
      ;;
    update)
      file=$(from_file config-from-file)
      name=$(json_field "$file" displayName)
      exists dashboard "$name" || not_found monitoring.dashboards.update "${words[3]}"
      current=$(cat "$(file_for dashboard "$name")")
      if [ "${current%%|*}" != "${words[3]}" ] || [ "${current#*|}" != "$(json_field "$file" etag)" ]; then
        echo "ERROR: (gcloud.monitoring.dashboards.update) ABORTED: etag mismatch" >&2
        exit 1
      fi
      printf '%s|etag-%s\n' "${words[3]}" "$(next_id)" | store dashboard "$name"
      ;;
    *) unknown "$@" ;;
  esac
}

# A table is kept as the JSON `bq show --format=json` prints: its schema, partitioning and clustering.
table_json() {
  local schema=$1 partitioning=$2 clustering=$3
  printf '{"schema":{"fields":%s}' "$(tr -d '\n' <"$schema")"
  [ -n "$partitioning" ] && printf ',"timePartitioning":%s' "$partitioning"
  [ -n "$clustering" ] && printf ',"clustering":{"fields":["%s"]}' "${clustering//,/\",\"}"
  printf '}\n'
}

fake_bq() {
  local id=${words[1]:-}
  case ${words[0]:-} in
    show)
      if exists bigquery "$id"; then cat "$(file_for bigquery "$id")"; else
        echo "BigQuery error in show operation: Not found: $id"
        exit 2
      fi
      ;;
    mk)
      if has_flag dataset; then
        echo '{"kind":"bigquery#dataset"}' | create bigquery "$id"
      elif flag view >/dev/null; then
        exists bigquery "${id%.*}" || { echo "BigQuery error in mk operation: Not found: Dataset ${id%.*}"; exit 2; }
        printf '{"type":"VIEW","view":{"query":%s}}\n' "$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$(flag view)")" |
          create bigquery "$id"
      elif has_flag table; then
        exists bigquery "${id%.*}" || { echo "BigQuery error in mk operation: Not found: Dataset ${id%.*}"; exit 2; }
        table_json "$(flag schema)" \
          "{\"type\":\"$(flag time_partitioning_type)\",\"field\":\"$(flag time_partitioning_field)\"}" \
          "$(flag clustering_fields)" | create bigquery "$id"
      else
        unknown "$@"
      fi
      ;;
    update)
      exists bigquery "$id" || { echo "BigQuery error in update operation: Not found: Table $id"; exit 2; }
      if flag view >/dev/null; then
        printf '{"type":"VIEW","view":{"query":%s}}\n' "$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$(flag view)")" |
          store bigquery "$id"
        return
      fi
      local partitioning
      partitioning=$(sed -n 's/.*"timePartitioning":\({[^}]*}\).*/\1/p' "$(file_for bigquery "$id")")
      table_json "${words[2]}" "$partitioning" "$(flag clustering_fields)" | store bigquery "$id"
      ;;
    add-iam-policy-binding)
      exists bigquery "$id" || { echo "BigQuery error in add-iam-policy-binding operation: Not found: $id"; exit 2; }
      if ! grep -qxF "$id $(flag member) $(flag role)" "$state/bigquery-bindings" 2>/dev/null; then
        printf '%s %s %s\n' "$id" "$(flag member)" "$(flag role)" >>"$state/bigquery-bindings"
      fi
      ;;
    get-iam-policy)
      # The policy as bq prints it: one binding per role, from the lines "id member role" of bigquery-bindings.
      exists bigquery "$id" || { echo "BigQuery error in get-iam-policy operation: Not found: $id"; exit 2; }
      node -e '
        const [id, text] = process.argv.slice(1);
        const bindings = new Map();
        for (const line of text.split("\n").filter(Boolean)) {
          const [resource, member, role] = line.split(" ");
          if (resource === id) bindings.set(role, [...(bindings.get(role) ?? []), member]);
        }
        process.stdout.write(JSON.stringify({ bindings: [...bindings].map(([role, members]) => ({ role, members })), etag: "BwX=", version: 1 }) + "\n");
      ' "$id" "$(cat "$state/bigquery-bindings" 2>/dev/null || true)"
      ;;
    remove-iam-policy-binding)
      exists bigquery "$id" || { echo "BigQuery error in remove-iam-policy-binding operation: Not found: $id"; exit 2; }
      local line
      line="$id $(flag member) $(flag role)"
      if ! grep -qxF "$line" "$state/bigquery-bindings" 2>/dev/null; then
        echo "BigQuery error in remove-iam-policy-binding operation: No binding found for member '$(flag member)' in role '$(flag role)'"
        exit 1
      fi
      grep -vxF "$line" "$state/bigquery-bindings" >"$state/bigquery-bindings.new" || true
      mv "$state/bigquery-bindings.new" "$state/bigquery-bindings"
      ;;
    *) unknown "$@" ;;
  esac
}

case $tool in
  gcloud) fake_gcloud "$@" ;;
  bq) fake_bq "$@" ;;
  *) unknown "$@" ;;
esac
