#!/usr/bin/env bash
# Stops the broker deploy/bin/start-kafka.sh started (SIGTERM: a controlled shutdown).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
stop_daemon kafka
