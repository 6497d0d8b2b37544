package io.vlmtagger.schemas.flink;

import java.time.Clock;
import java.util.Objects;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The job's Kafka source format: copies each record into a {@link RawKafkaRecord} and never throws
 * on the record's content, so one bad record can never fail (and endlessly restart) the source.
 * Decoding and validation happen in the ingest stage, which can dead-letter.
 *
 * <p>Usage: {@code KafkaSource.<RawKafkaRecord>builder().setDeserializer(new RawRecordDeserializationSchema())}.
 */
public class RawRecordDeserializationSchema implements KafkaRecordDeserializationSchema<RawKafkaRecord> {
    private static final long serialVersionUID = 1L;

    private final Clock clock;

    public RawRecordDeserializationSchema() {
        this(Clock.systemUTC());
    }

    /** @param clock gives {@link RawKafkaRecord#receivedAtMs}; must be serializable (system clocks are). */
    public RawRecordDeserializationSchema(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawKafkaRecord> out) {
        long ts = record.timestamp() < 0 ? -1L : record.timestamp();
        out.collect(new RawKafkaRecord(record.topic(), record.partition(), record.offset(), ts,
                clock.millis(), record.key(), record.value()));
    }

    @Override
    public TypeInformation<RawKafkaRecord> getProducedType() {
        return TypeInformation.of(RawKafkaRecord.class);
    }
}
