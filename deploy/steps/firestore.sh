# shellcheck shell=bash
# Step "firestore": the composite indexes of deploy/firestore-indexes.txt that the project lacks,
# created without waiting (step "indexes" waits for them). Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly index_file=deploy/firestore-indexes.txt
# What `gcloud firestore indexes composite list` is asked for: collection|scope|paths|orders|state.
readonly index_format='value[separator="|"](name.segment(-3),queryScope,fields[].fieldPath.join(","),fields[].order.join(","),state)'

# The indexes of $index_file, one line each: "collection|COLLECTION|path,path|ORDER,ORDER" (the way
# the list above prints them), then a tab and the --field-config flags that create it.
wanted_indexes() {
  local setting fields field path order collection paths orders configs line_number=0
  while read -r setting fields || [ -n "$setting" ]; do
    line_number=$((line_number + 1))
    [[ -z $setting || $setting == \#* ]] && continue
    case $setting in
      BATCH_COLLECTION) collection=$batch_collection ;;
      HEALING_COLLECTION) collection=$healing_collection ;;
      *) fail "$index_file line $line_number names an unknown collection setting \"$setting\"" ;;
    esac
    paths='' orders='' configs=''
    for field in $fields; do
      path=${field%%:*} order=${field##*:}
      case $order in
        asc) order=ASCENDING ;;
        desc) order=DESCENDING ;;
        *) fail "$index_file line $line_number: \"$field\" must be field:asc or field:desc" ;;
      esac
      paths+=",$path" orders+=",$order"
      configs+=" --field-config=field-path=$path,order=${order,,}"
    done
    printf '%s|COLLECTION|%s|%s\t%s\n' "$collection" "${paths#,}" "${orders#,}" "${configs# }"
  done <"$index_file"
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
  local wanted existing key flags created=0
  wanted=$(wanted_indexes) || exit $?
  capture gcloud firestore indexes composite list --project="$project" --format="$index_format"
  existing=$(listed_indexes "$captured")
  while IFS=$'\t' read -r key flags; do
    [ -n "$key" ] || continue
    local name
    IFS='|' read -r name _ _ _ <<<"$key"
    if [ -n "$(index_state "$key" "$existing")" ]; then
      say "index exists: $name ($(cut -d'|' -f3 <<<"$key"))"
    else
      local configs
      read -r -a configs <<<"$flags"
      run gcloud firestore indexes composite create --project="$project" \
        --collection-group="$name" --query-scope=collection "${configs[@]}" --async
      created=$((created + 1))
    fi
  done <<<"$wanted"
  if [ "$created" -gt 0 ]; then say "new indexes build in the background; step \"indexes\" waits for them"; fi
}
