#!/usr/bin/env bash
# Starts a JobManager of a standalone session cluster (Flink's StandaloneSessionClusterEntrypoint)
# in the foreground, as Flink's `bin/jobmanager.sh start-foreground` does:
#   bin/jobmanager.sh start-foreground [-D key=value ...]
# Run it under your process supervisor (systemd, a container, `nohup ... &`); stop it with SIGTERM.
set -euo pipefail
# shellcheck source=SCRIPTDIR/config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
execService standalonesession org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    jobmanager GET_JM_RESOURCE_PARAMS "$@"
