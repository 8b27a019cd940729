#!/usr/bin/env bash
# Stops what deploy/bin/start-cluster.sh started: the TaskManagers, then the JobManager.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for pidfile in "$RUN_DIR"/taskmanager-*.pid; do
  [[ -e "$pidfile" ]] && stop_daemon "$(basename "$pidfile" .pid)"
done
stop_daemon jobmanager
