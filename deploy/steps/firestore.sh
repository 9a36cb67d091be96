# shellcheck shell=bash
# Step "firestore": the composite indexes of deploy/firestore.indexes.json that the project lacks,
# created without waiting (step "indexes" waits for them). Sourced by deploy.sh.
#
# The file is in the Firebase CLI's format, so `firebase deploy --only firestore:indexes` reads it
# too, and names the default collections. The deploy maps each default name to the configured one:
# prediction_batches to BATCH_COLLECTION, healing_events to HEALING_COLLECTION, and
# healing_events_SUFFIX (healing_events_control, ...) to HEALING_COLLECTION_SUFFIX. Adding an index
# is adding one entry to "indexes".
# shellcheck disable=SC2154

readonly index_file=deploy/firestore.indexes.json
# What `gcloud firestore indexes composite list` is asked for: collection|scope|paths|orders|state.
readonly index_format='value[separator="|"](name.segment(-3),queryScope,fields[].fieldPath.join(","),fields[].order.join(","),state)'

# The configured collection for a default collection name of the index file; fails for other names.
configured_collection() {
  case $1 in
    prediction_batches) printf '%s' "$batch_collection" ;;
    healing_events) printf '%s' "$healing_collection" ;;
    healing_events_*) printf '%s' "$healing_collection${1#healing_events}" ;;
    *) return 1 ;;
  esac
}

# The indexes of $index_file, one line each: "collection|SCOPE|path,path|ORDER,ORDER" (the way the
# list above prints them), then a tab and the flags that create it. A file the deploy cannot read
# this way is a configuration error (exit 2), found before any command runs.
wanted_indexes() {
  local rows group scope paths orders collection configs path order i number=0
  rows=$(json rows "$index_file" 'indexes[]' collectionGroup queryScope 'fields[].fieldPath' 'fields[].order') ||
    config_error "cannot read the indexes of $index_file"
  [ -z "$(json get "$index_file" 'fieldOverrides[]')" ] ||
    config_error "$index_file has fieldOverrides, which the deploy does not apply; make them with gcloud firestore indexes fields update, and leave the list empty"
  while IFS='|' read -r group scope paths orders; do
    [ -n "$group$scope$paths$orders" ] || continue
    number=$((number + 1))
    collection=$(configured_collection "$group") ||
      config_error "$index_file index $number names the collection \"$group\"; use a default name the deploy maps to the configured one: prediction_batches, healing_events or healing_events_SUFFIX"
    [[ $scope =~ ^(COLLECTION|COLLECTION_GROUP)$ ]] ||
      config_error "$index_file index $number ($group) needs queryScope COLLECTION or COLLECTION_GROUP, got \"$scope\""
    local -a path_list order_list
    IFS=',' read -r -a path_list <<<"$paths"
    IFS=',' read -r -a order_list <<<"$orders"
    if [ "${#path_list[@]}" -lt 2 ] || [ "${#path_list[@]}" -ne "${#order_list[@]}" ]; then
      config_error "$index_file index $number ($group) needs two or more fields, each with a fieldPath and an order (ASCENDING or DESCENDING)"
    fi
    configs=''
    for i in "${!path_list[@]}"; do
      path=${path_list[$i]} order=${order_list[$i]}
      [[ $path =~ ^[A-Za-z_][A-Za-z0-9_.]*$ && $order =~ ^(ASCENDING|DESCENDING)$ ]] ||
        config_error "$index_file index $number ($group): \"$path\" \"$order\" is not a field path with order ASCENDING or DESCENDING"
      configs+=" --field-config=field-path=$path,order=${order,,}"
    done
    printf '%s|%s|%s|%s\t%s\n' "$collection" "$scope" "$paths" "$orders" "${configs# }"
  done <<<"$rows"
  [ "$number" -gt 0 ] || config_error "$index_file lists no index"
}

# The project's composite indexes from a list answer, as "key state" lines; Firestore appends
# __name__ to every index it lists, so it is left out of the key.
listed_indexes() {
  local collection_group scope paths orders state
  while IFS='|' read -r collection_group scope paths orders state; do
    [ -n "$collection_group" ] || continue
    if [[ $paths == *,__name__ ]]; then paths=${paths%,__name__} orders=${orders%,*}; fi
    printf '%s|%s|%s|%s %s\n' "$collection_group" "$scope" "$paths" "$orders" "${state:-READY}"
  done <<<"$1"
}

# The state of index KEY in the listed_indexes lines $2; nothing when it is not listed.
index_state() {
  local listed_key listed_state
  while read -r listed_key listed_state; do
    if [ "$listed_key" = "$1" ]; then printf '%s' "$listed_state"; return 0; fi
  done <<<"$2"
}

step_firestore() {
  step firestore "Firestore composite indexes from $index_file"
  local existing key flags created=0 name scope
  capture gcloud firestore indexes composite list --project="$project" --format="$index_format"
  existing=$(listed_indexes "$captured")
  while IFS=$'\t' read -r key flags; do
    [ -n "$key" ] || continue
    IFS='|' read -r name scope _ _ <<<"$key"
    if [ -n "$(index_state "$key" "$existing")" ]; then
      say "index exists: $name ($(cut -d'|' -f3 <<<"$key"))"
    else
      local configs
      read -r -a configs <<<"$flags"
      scope=${scope,,}
      run gcloud firestore indexes composite create --project="$project" \
        --collection-group="$name" --query-scope="${scope//_/-}" "${configs[@]}" --async
      created=$((created + 1))
    fi
  done <<<"$firestore_indexes"
  if [ "$created" -gt 0 ]; then say "new indexes build in the background; step \"indexes\" waits for them"; fi
}
