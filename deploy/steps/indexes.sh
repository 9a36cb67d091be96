# shellcheck shell=bash
# Step "indexes": waits until every index of deploy/firestore.indexes.json is READY, asking Firestore
# every $index_poll_seconds for at most --index-wait; the job's queries fail until then.
# Uses the indexes deploy.sh read with wanted_indexes, and listed_indexes, from steps/firestore.sh.
# Sourced by deploy.sh.
# shellcheck disable=SC2154

step_indexes() {
  step indexes "Wait for the Firestore indexes to be ready (at most $index_wait)"
  local wanted list=(gcloud firestore indexes composite list --project="$project" --format="$index_format")
  wanted=$(cut -f1 <<<"$firestore_indexes")
  show "${list[@]}"
  if [ "$dry_run" = true ]; then
    say "(a real run repeats this every ${index_poll_seconds}s until each index of $index_file is READY)"
    return
  fi
  local deadline=$((SECONDS + index_wait_seconds)) answer existing key state building status
  while true; do
    status=0
    answer=$("${list[@]}") || status=$?
    [ "$status" -eq 0 ] || fail "${list[0]} exited with status $status; nothing after it ran"
    existing=$(listed_indexes "$answer")
    building=()
    while read -r key; do
      [ -n "$key" ] || continue
      state=$(index_state "$key" "$existing")
      local described
      described="$(cut -d'|' -f1 <<<"$key") ($(cut -d'|' -f3 <<<"$key"))"
      case $state in
        READY) ;;
        CREATING) building+=("$described") ;;
        '') fail "index $described does not exist; run the deploy again with the firestore step" ;;
        *) fail "index $described is $state; see gcloud firestore indexes composite list --project=$project" ;;
      esac
    done <<<"$wanted"
    if [ "${#building[@]}" -eq 0 ]; then
      say "every index of $index_file is ready"
      return
    fi
    building=("$(printf '%s, ' "${building[@]}")")
    building=("${building[0]%, }")
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "still building after $index_wait: ${building[*]}. The job's queries that need them fail until they are ready. Watch them with: gcloud firestore indexes composite list --project=$project; then deploy again with --only=indexes,scheduler,check (or give them more time with --index-wait, e.g. --index-wait=2h)"
    fi
    say "still building: ${building[*]}; asking again in ${index_poll_seconds}s"
    sleep "$index_poll_seconds"
  done
}
