#!/usr/bin/env bash
# Submits the tagging job to a running session cluster (instead of application mode):
#   docker/submit-job.sh [extra --key value job options...]
set -euo pipefail

flink_bin="${FLINK_BIN:-flink}"
jar="${JOB_JAR:-/opt/flink/usrlib/vlm-tagger-job.jar}"
config="${JOB_CONFIG:-/opt/vlm-tagger/job.properties}"
parallelism="${PARALLELISM:-2}"

exec "$flink_bin" run --detached --parallelism "$parallelism" \
  --class io.vlmtagger.jobs.TaggingJob "$jar" --config "$config" "$@"
