#!/usr/bin/env bash
# Creates the job's topics (idempotent). Used by the kafka-init service of docker-compose.yml;
# also usable by hand: BOOTSTRAP_SERVERS=localhost:9092 docker/create-topics.sh
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-localhost:9092}"
partitions="${PARTITIONS:-4}"
kafka_topics="${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}"

for topic in images image-captions chat-answers image-dead-letters exemplars; do
  "$kafka_topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$topic" --partitions "$partitions" --replication-factor 1 \
    --config max.message.bytes=10485760
done
"$kafka_topics" --bootstrap-server "$bootstrap" --list
