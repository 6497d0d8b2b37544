#!/usr/bin/env bash
# Starts a TaskManager (Flink's TaskManagerRunner) in the foreground, as Flink's
# `bin/taskmanager.sh start-foreground` does; it registers with the JobManager named by
# jobmanager.rpc.address / jobmanager.rpc.port in conf/config.yaml:
#   bin/taskmanager.sh start-foreground [-D key=value ...]
# Start one per host (or several on one host); stop it with SIGTERM.
set -euo pipefail
# shellcheck source=SCRIPTDIR/config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
execService taskexecutor org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    taskmanager GET_TM_RESOURCE_PARAMS "$@"
