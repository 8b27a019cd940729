#!/usr/bin/env bash
# Submits the filter and tokenize jobs to the cluster of start-cluster.sh, reading and writing the
# broker of start-kafka.sh; checkpoints in RUN_DIR/checkpoints. Builds the jobs' jars on first use.
# Extra arguments go to `streamlip submit` (see ./streamlip submit --help), e.g. --parallelism 1.
# With --live-model it submits the jobs-scorer jar (the filter scores with the trainer's checkpoints).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
classifier=jobs
for arg in "$@"; do
  [[ "$arg" == --live-model* ]] && classifier=jobs-scorer
done
jar="$DEPLOY_DIR/target/streamlip-deploy-0.1.0-SNAPSHOT-$classifier.jar"
if [[ ! -f "$jar" ]]; then
  echo "building the jobs' jars (first run)..." >&2
  (cd "$STREAMLIP_HOME" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true package -pl deploy -am) >&2
fi
exec "$STREAMLIP_HOME/streamlip" submit --flink "http://127.0.0.1:8081" --jar "$jar" \
  --bootstrap "127.0.0.1:${KAFKA_PORT:-9092}" --checkpoint-dir "file://$RUN_DIR/checkpoints" "$@"
