#!/usr/bin/env bash
# Starts a standalone Flink session cluster from Maven artifacts (no flink-dist): one JobManager and
# N TaskManagers (default 2) as separate JVMs, memory flags from Flink's BashJavaUtils, every port on
# loopback (deploy/conf/config.yaml). Waits until the TaskManagers have registered.
#   deploy/bin/start-cluster.sh [N]       web UI / REST: http://127.0.0.1:8081
# Then: deploy/bin/start-kafka.sh, deploy/bin/submit-jobs.sh; stop with deploy/bin/stop-cluster.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
taskmanagers="${1:-2}"
cp="$(flink_classpath)"
conf="$(flink_conf_dir)"

start_flink() { # NAME MAIN BASHJAVAUTILS-COMMAND EXTRA-JVM-FLAGS-ARRAY-NAME [ARGS...]
  local name="$1" main="$2" command="$3"
  local -n extra_jvm="$4"
  shift 4
  local memory jvm dynamic
  memory="$(flink_memory "$command" "$cp" "$conf")"
  jvm="$(head -n 1 <<<"$memory")"
  dynamic="$(tail -n 1 <<<"$memory")"
  # shellcheck disable=SC2086 # the flag lines are space-separated lists, as in flink-dist
  # Pekko's remoting start-up timeout (10 s) is not covered by Flink's pekko.startup-timeout.
  start_daemon "$name" "$cp" "$main" $jvm "${JAVA_17_OPENS[@]}" "${extra_jvm[@]}" \
    -Dpekko.remote.classic.startup-timeout=120s \
    "-Dlog.file=$RUN_DIR/log/$name.log" "-Dlog4j.configurationFile=file:$conf/log4j.properties" \
    -- --configDir "$conf" "$@" $dynamic
}

no_extra_jvm=()
start_flink jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
  GET_JM_RESOURCE_PARAMS no_extra_jvm --executionMode cluster
# TaskManagers also get DJL's offline settings (the live model's scorer; harmless without it).
for i in $(seq 1 "$taskmanagers"); do
  start_flink "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS \
    TASK_MANAGER_DJL_OPTS
done

rest="http://127.0.0.1:$(sed -n 's/^rest.port: *//p' "$conf/config.yaml")"
for _ in $(seq 1 120); do
  registered="$(curl -sf "$rest/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p' || true)"
  if [[ "${registered:-0}" -ge "$taskmanagers" ]]; then
    echo "Flink cluster ready: $rest ($registered TaskManagers)"
    exit 0
  fi
  sleep 1
done
echo "Flink cluster not ready after 120 s; see $RUN_DIR/log" >&2
exit 1
