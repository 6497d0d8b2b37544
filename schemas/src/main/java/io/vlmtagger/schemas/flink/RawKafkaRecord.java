package io.vlmtagger.schemas.flink;

import java.util.Arrays;

/**
 * A Kafka record exactly as received, before any decoding: what the job's source emits so that a
 * record that cannot be decoded becomes a dead letter downstream instead of failing the source.
 * A Flink POJO (public fields, no-arg constructor).
 */
public class RawKafkaRecord {
    public String topic;
    public int partition = -1;
    public long offset = -1L;
    /** The Kafka record timestamp (epoch millis), or -1 when the record has none. */
    public long kafkaTimestampMs = -1L;
    /** When the job received the record (processing time, epoch millis). */
    public long receivedAtMs;
    /** Record key, may be null. */
    public byte[] key;
    /** Record value, may be null (a tombstone). */
    public byte[] value;

    public RawKafkaRecord() {}

    public RawKafkaRecord(String topic, int partition, long offset, long kafkaTimestampMs, long receivedAtMs,
                          byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestampMs = kafkaTimestampMs;
        this.receivedAtMs = receivedAtMs;
        this.key = key;
        this.value = value;
    }

    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawKafkaRecord)) {
            return false;
        }
        RawKafkaRecord r = (RawKafkaRecord) o;
        return partition == r.partition && offset == r.offset && kafkaTimestampMs == r.kafkaTimestampMs
                && receivedAtMs == r.receivedAtMs && java.util.Objects.equals(topic, r.topic)
                && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "RawKafkaRecord{" + topic + '-' + partition + '@' + offset + ", valueBytes="
                + (value == null ? "null" : value.length) + '}';
    }
}
