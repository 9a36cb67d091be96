# shellcheck shell=bash
# Step "bigquery": the dataset, and the healing events table from the schema file, partitioned and
# clustered as schemas/healing_events.table.json says; new NULLABLE columns are added in place.
# Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly schema_file=schemas/healing_events.json
readonly table_options_file=schemas/healing_events.table.json

step_bigquery() {
  step bigquery "BigQuery dataset $dataset and table $table"
  local partition_type partition_field clustering_fields table_description
  partition_type=$(json get "$table_options_file" timePartitioning.type)
  partition_field=$(json get "$table_options_file" timePartitioning.field)
  clustering_fields=$(json get "$table_options_file" clustering.fields)
  table_description=$(json get "$table_options_file" description)
  [[ $partition_type =~ ^(DAY|HOUR|MONTH|YEAR)$ && $partition_field =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
    fail "cannot read timePartitioning (type and field) from $table_options_file"
  [[ $clustering_fields =~ ^[A-Za-z_][A-Za-z0-9_,]*$ ]] || fail "cannot read clustering.fields from $table_options_file"

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
  local shown="$work_dir/table.json" existing wanted missing=() name
  printf '%s\n' "$found" >"$shown"
  existing=$(json get "$shown" 'schema.fields[].name')
  wanted=$(json get "$schema_file" '[].name')
  for name in $wanted; do
    grep -qxF "$name" <<<"$existing" || missing+=("$name")
  done
  for name in $existing; do
    grep -qxF "$name" <<<"$wanted" ||
      fail "table $table_id has a column $name that $schema_file lacks; add it to the schema file (columns are never dropped)"
  done
  if ! json has "$shown" timePartitioning; then
    say "warning: table $table_id is not partitioned; BigQuery cannot add partitioning in place." \
      "It keeps working, but queries scan the whole table. To partition it, copy it into a new" \
      "partitioned table (bq query --destination_table ... --time_partitioning_field=$partition_field) and swap the names."
  fi
  if [ "${#missing[@]}" -eq 0 ] && [ "$(json get "$shown" clustering.fields)" = "$clustering_fields" ]; then
    say "table $table exists with every column of $(basename "$schema_file") and its clustering"
    return
  fi
  if [ "${#missing[@]}" -gt 0 ]; then say "adding NULLABLE columns to $table: ${missing[*]}"; fi
  run bq --project_id="$project" update --clustering_fields="$clustering_fields" \
    --description="$table_description" "$table_id" "$schema_file"
}
