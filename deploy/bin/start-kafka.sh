#!/usr/bin/env bash
# Starts a single-node Kafka broker (KRaft: broker and controller in one JVM) on 127.0.0.1:9092,
# its log in RUN_DIR/kafka. Formats the storage on first start (kafka.tools.StorageTool), like
# kafka-storage.sh + kafka-server-start.sh. KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_HEAP override.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
port="${KAFKA_PORT:-9092}"
controller="${KAFKA_CONTROLLER_PORT:-9093}"
data="$RUN_DIR/kafka"
mkdir -p "$data"
cp="$(tools_classpath)"
# The same settings as io.streamlip.deploy.KafkaBrokerProcess.serverProperties.
cat > "$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/log
metadata.log.dir=$data/meta
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
log.segment.bytes=67108864
PROPS
if [[ ! -f "$data/meta/meta.properties" ]]; then
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  "$JAVA" -Xmx256m -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$data/server.properties" --standalone --ignore-formatted >&2
fi
heap="${KAFKA_HEAP:-512m}"
start_daemon kafka "$cp" kafka.Kafka "-Xmx$heap" "-Xms$heap" -XX:+UseG1GC -- "$data/server.properties"
for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Kafka broker listening on 127.0.0.1:$port"
    exit 0
  fi
  sleep 1
done
echo "Kafka broker not listening after 60 s; see $RUN_DIR/log/kafka.out" >&2
exit 1
