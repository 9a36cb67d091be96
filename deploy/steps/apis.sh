# shellcheck shell=bash
# Step "apis": the Google Cloud APIs the deploy and the job use. Sourced by deploy.sh.
# shellcheck disable=SC2154

readonly apis=(
  run.googleapis.com cloudscheduler.googleapis.com cloudbuild.googleapis.com
  artifactregistry.googleapis.com secretmanager.googleapis.com firestore.googleapis.com
  bigquery.googleapis.com iam.googleapis.com cloudresourcemanager.googleapis.com
  logging.googleapis.com monitoring.googleapis.com storage.googleapis.com
)

step_apis() {
  step apis "Enable the APIs"
  run gcloud services enable "${apis[@]}" --project="$project"
}
