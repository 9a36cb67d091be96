# shellcheck shell=bash
# Step "image": the container image, built by Cloud Build into Artifact Registry; a tag that exists
# is not built again. Sourced by deploy.sh.
# shellcheck disable=SC2154

step_image() {
  step image "Container image $image"
  if probe gcloud artifacts repositories describe "$repository" --project="$project" --location="$region" --format='value(name)'; then
    say "repository $repository exists"
  else
    run gcloud artifacts repositories create "$repository" --project="$project" --location="$region" \
      --repository-format=docker --description="Images of auto-batch-cleanup"
  fi
  if probe gcloud artifacts docker images describe "$image" --project="$project" --format='value(image_summary.digest)'; then
    say "image $image_tag exists; not rebuilding it"
  else
    run gcloud builds submit . --project="$project" --tag="$image"
  fi
}
