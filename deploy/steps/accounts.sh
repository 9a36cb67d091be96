# shellcheck shell=bash
# Step "accounts": the job's service account (Firestore user; BigQuery data editor on the two tables
# it writes, events and verdicts, not on the dataset, which may hold other tables; BigQuery job user
# in the project, for the query that looks up events before exporting them again) and the
# scheduler's (allowed only to start the jobs; granted per job in the job and digests steps).
# Sourced by deploy.sh.
# shellcheck disable=SC2154

step_accounts() {
  step accounts "Service accounts and their roles"
  ensure_service_account "$job_account" "auto-batch-cleanup job"
  ensure_service_account "$scheduler_account" "Cloud Scheduler trigger of auto-batch-cleanup"
  grant_project_role "$job_account" roles/datastore.user
  grant_project_role "$job_account" roles/bigquery.jobUser
  grant_table_role "$job_account" roles/bigquery.dataEditor "$table_id"
  grant_table_role "$job_account" roles/bigquery.dataEditor "$verdict_table_id"
  revoke_dataset_role "$job_account" roles/bigquery.dataEditor
  say "the scheduler's account gets roles/run.invoker on each job it starts, and no other role"
}
