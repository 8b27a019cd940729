# Shared by deploy/bin/*.sh: paths, classpaths (built on first use), the JVM flags Flink needs.
# Source it; do not run it.
STREAMLIP_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY_DIR="$STREAMLIP_HOME/deploy"
# Pid files, logs, rendered configuration, checkpoints, savepoints and the broker's data.
RUN_DIR="${STREAMLIP_RUN_DIR:-$STREAMLIP_HOME/out/cluster}"
mkdir -p "$RUN_DIR/log"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# flink-dist's env.java.opts.all: Flink needs these on Java 17.
JAVA_17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
)

# The TaskManagers' DJL settings (FlinkClusterConfig.djlOffline): the live model's scorer (the
# jobs-scorer jar) runs DJL offline and unpacks the CPU libtorch from the jar into DJL_CACHE_DIR
# the first time a model loads (about 430 MB; the default is ./streamlip's, so a machine that ran the
# demo has it already); one libtorch thread per scorer.
DJL_CACHE="${DJL_CACHE_DIR:-$HOME/.cache/streamlip/djl}"
TASK_MANAGER_DJL_OPTS=(
  -Dai.djl.offline=true "-DDJL_CACHE_DIR=$DJL_CACHE" "-DENGINE_CACHE_DIR=$DJL_CACHE"
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1
)

# The Flink cluster's classpath: what flink-dist's lib/ holds, resolved by Maven.
flink_classpath() {
  local file="$DEPLOY_DIR/flink-cluster/target/classpath.txt"
  if [[ ! -f "$file" ]]; then
    echo "building the Flink cluster classpath (first run)..." >&2
    (cd "$STREAMLIP_HOME" && ./mvnw -B -q -pl deploy/flink-cluster generate-resources) >&2
  fi
  cat "$file"
}

# The streamlip command line's classpath (Kafka broker classes included), built like ./streamlip.
tools_classpath() {
  local cp="$STREAMLIP_HOME/app/target/classpath.txt"
  local jar="$STREAMLIP_HOME/app/target/streamlip-app-0.1.0-SNAPSHOT.jar"
  if [[ ! -f "$cp" || ! -f "$jar" ]]; then
    echo "building the streamlip command line (first run)..." >&2
    (cd "$STREAMLIP_HOME" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true package -pl app -am) >&2
  fi
  echo "$jar:$(cat "$cp")"
}

# The configuration folder: deploy/conf with @RUN_DIR@ filled in (FLINK_CONF_DIR overrides).
flink_conf_dir() {
  if [[ -n "${FLINK_CONF_DIR:-}" ]]; then
    echo "$FLINK_CONF_DIR"
    return
  fi
  mkdir -p "$RUN_DIR/conf" "$RUN_DIR/tmp"
  sed "s|@RUN_DIR@|$RUN_DIR|g" "$DEPLOY_DIR/conf/config.yaml" > "$RUN_DIR/conf/config.yaml"
  cp "$DEPLOY_DIR/conf/log4j.properties" "$RUN_DIR/conf/log4j.properties"
  echo "$RUN_DIR/conf"
}

# Memory flags the way flink-dist computes them: Flink's BashJavaUtils on the configuration.
# Prints two lines: JVM flags, then the dynamic properties (-D key=value ...).
flink_memory() { # GET_JM_RESOURCE_PARAMS | GET_TM_RESOURCE_PARAMS, classpath, conf dir
  local out
  out="$("$JAVA" -Xmx128m -cp "$2" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$3" 2>&1)" || {
    echo "BashJavaUtils $1 failed: $out" >&2
    return 1
  }
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2
}

# start_daemon NAME CLASSPATH MAIN [JVM FLAGS...] -- [ARGS...]: runs a JVM in the background,
# output in RUN_DIR/log/NAME.out, pid in RUN_DIR/NAME.pid.
start_daemon() {
  local name="$1" cp="$2" main="$3"
  shift 3
  local jvm=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do jvm+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  local pidfile="$RUN_DIR/$name.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$name is already running (pid $(cat "$pidfile"))" >&2
    return 1
  fi
  nohup "$JAVA" "${jvm[@]}" -cp "$cp" "$main" "$@" > "$RUN_DIR/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "started $name (pid $!, log $RUN_DIR/log/$name.*)" >&2
}

# stop_daemon NAME: SIGTERM, then SIGKILL after 30 s.
stop_daemon() {
  local pidfile="$RUN_DIR/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$1 (pid $pid) did not stop: killing it" >&2
      kill -9 "$pid"
    fi
    echo "stopped $1 (pid $pid)" >&2
  fi
  rm -f "$pidfile"
}
