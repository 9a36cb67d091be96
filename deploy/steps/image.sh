# shellcheck shell=bash
# Step "image": the container image, built by Cloud Build into Artifact Registry as the build's own
# service account, with only what that build needs: the Artifact Registry writer role on the
# repository, the Storage object viewer role on the bucket the source is staged in, and writing its
# logs to Cloud Logging (deploy/cloudbuild.yaml). A tag that exists is not built again. Sourced by
# deploy.sh.
# shellcheck disable=SC2154

readonly build_config=deploy/cloudbuild.yaml
readonly build_bucket_lifecycle=deploy/build-bucket-lifecycle.json

step_image() {
  step image "Container image $image"
  ensure_service_account "$build_account" "Cloud Build of the auto-batch-cleanup image"
  grant_project_role "$build_account" roles/logging.logWriter

  if probe gcloud storage buckets describe "gs://$build_bucket" --project="$project" --format='value(name)'; then
    say "bucket gs://$build_bucket exists"
  else
    # The command line is shown above; gcloud's own "Creating gs://..." line would only repeat it.
    run gcloud storage buckets create "gs://$build_bucket" --project="$project" --location="$region" \
      --uniform-bucket-level-access --public-access-prevention --lifecycle-file="$build_bucket_lifecycle" --no-user-output-enabled
  fi
  run gcloud storage buckets add-iam-policy-binding "gs://$build_bucket" --member="serviceAccount:$build_account" \
    --role=roles/storage.objectViewer --condition=None --format=none

  if probe gcloud artifacts repositories describe "$repository" --project="$project" --location="$region" --format='value(name)'; then
    say "repository $repository exists"
  else
    run gcloud artifacts repositories create "$repository" --project="$project" --location="$region" \
      --repository-format=docker --description="Images of auto-batch-cleanup"
  fi
  run gcloud artifacts repositories add-iam-policy-binding "$repository" --project="$project" --location="$region" \
    --member="serviceAccount:$build_account" --role=roles/artifactregistry.writer --condition=None --format=none

  if probe gcloud artifacts docker images describe "$image" --project="$project" --format='value(image_summary.digest)'; then
    say "image $image_tag exists; not rebuilding it"
  else
    # Uploads what .gcloudignore lets through; the build's log is in Cloud Logging (the link is printed).
    run gcloud builds submit . --project="$project" --config="$build_config" --substitutions="_IMAGE=$image" \
      --service-account="projects/$project/serviceAccounts/$build_account" \
      --gcs-source-staging-dir="gs://$build_bucket/source"
  fi
}
