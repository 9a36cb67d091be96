# shellcheck shell=bash
# Step "bigquery": the dataset; the healing events table and the heal verdicts table, each from its
# schema file and partitioned and clustered as its .table.json says (new NULLABLE columns are added
# in place); and the view <HEALING_TABLE>_unique, one row per healing_id, for readers other than
# analyze-healing. Sourced by deploy.sh.
# shellcheck disable=SC2154

step_bigquery() {
  step bigquery "BigQuery dataset $dataset, tables $table and $verdict_table, view ${table}_unique"
  if probe bq --project_id="$project" show --format=json "$project:$dataset"; then
    say "dataset $dataset exists"
  else
    run bq --project_id="$project" mk --dataset --location="$bq_location" \
      --description="Self-healing records of the batch pipelines" "$project:$dataset"
  fi
  ensure_table "$table_id" schemas/healing_events.json schemas/healing_events.table.json
  ensure_table "$verdict_table_id" schemas/heal_verdicts.json schemas/heal_verdicts.table.json
  ensure_unique_view
}

# The table ID from SCHEMA_FILE with the partitioning, clustering and description of OPTIONS_FILE:
# created, or given the schema file's new NULLABLE columns and the clustering when it exists.
ensure_table() {
  local id=$1 schema_file=$2 options_file=$3 name=${1##*.}
  local partition_type partition_field clustering_fields table_description
  partition_type=$(json get "$options_file" timePartitioning.type)
  partition_field=$(json get "$options_file" timePartitioning.field)
  clustering_fields=$(json get "$options_file" clustering.fields)
  table_description=$(json get "$options_file" description)
  [[ $partition_type =~ ^(DAY|HOUR|MONTH|YEAR)$ && $partition_field =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
    fail "cannot read timePartitioning (type and field) from $options_file"
  [[ $clustering_fields =~ ^[A-Za-z_][A-Za-z0-9_,]*$ ]] || fail "cannot read clustering.fields from $options_file"

  if ! probe bq --project_id="$project" show --format=json "$id"; then
    run bq --project_id="$project" mk --table --schema="$schema_file" \
      --time_partitioning_type="$partition_type" --time_partitioning_field="$partition_field" \
      --clustering_fields="$clustering_fields" --description="$table_description" "$id"
    return
  fi
  local shown="$work_dir/table.json" existing wanted missing=() column
  printf '%s\n' "$found" >"$shown"
  existing=$(json get "$shown" 'schema.fields[].name')
  wanted=$(json get "$schema_file" '[].name')
  for column in $wanted; do
    grep -qxF "$column" <<<"$existing" || missing+=("$column")
  done
  for column in $existing; do
    grep -qxF "$column" <<<"$wanted" ||
      fail "table $id has a column $column that $schema_file lacks; add it to the schema file (columns are never dropped)"
  done
  if ! json has "$shown" timePartitioning; then
    say "warning: table $id is not partitioned; BigQuery cannot add partitioning in place." \
      "It keeps working, but queries scan the whole table. To partition it, copy it into a new" \
      "partitioned table (bq query --destination_table ... --time_partitioning_field=$partition_field) and swap the names."
  fi
  if [ "${#missing[@]}" -eq 0 ] && [ "$(json get "$shown" clustering.fields)" = "$clustering_fields" ]; then
    say "table $name exists with every column of $(basename "$schema_file") and its clustering"
    return
  fi
  if [ "${#missing[@]}" -gt 0 ]; then say "adding NULLABLE columns to $name: ${missing[*]}"; fi
  run bq --project_id="$project" update --clustering_fields="$clustering_fields" \
    --description="$table_description" "$id" "$schema_file"
}

# The view <HEALING_TABLE>_unique: the earliest row of each healing_id, so a reader counts each heal
# once even where BigQuery holds a row twice. Made, or replaced from the same query on every deploy
# (its SELECT * then also shows columns added to the table since).
ensure_unique_view() {
  local id="$table_id"_unique
  local query="SELECT * FROM \`$project.$dataset.$table\` WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY healing_id ORDER BY timestamp) = 1"
  local description="One row per healing_id of $table, the earliest, for readers other than analyze-healing (Looker Studio, ad-hoc SQL)"
  if probe bq --project_id="$project" show --format=json "$id"; then
    printf '%s\n' "$found" >"$work_dir/view.json"
    [ "$(json get "$work_dir/view.json" type)" = VIEW ] ||
      fail "$id exists and is not a view; rename or delete it, so the deploy can make the view ${table}_unique there"
    run bq --project_id="$project" update --use_legacy_sql=false --view="$query" --description="$description" "$id"
  else
    run bq --project_id="$project" mk --use_legacy_sql=false --view="$query" --description="$description" "$id"
  fi
}
