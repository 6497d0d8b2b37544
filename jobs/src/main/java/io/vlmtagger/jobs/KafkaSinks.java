package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.StartingOffsets;
import io.vlmtagger.schemas.flink.AvroKafkaRecordSerializer;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.flink.RawRecordDeserializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Properties;

/** The job's Kafka source and its exactly-once sinks, built from the {@link JobOptions}. */
final class KafkaSinks {

    /** The input source: raw records, never throwing on content (decoding happens downstream). */
    static KafkaSource<RawKafkaRecord> source(JobConfig config) {
        OffsetResetStrategy reset = config.get(JobOptions.KAFKA_STARTING_OFFSETS) == StartingOffsets.LATEST
                ? OffsetResetStrategy.LATEST
                : OffsetResetStrategy.EARLIEST;
        return KafkaSource.<RawKafkaRecord>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setTopics(config.get(JobOptions.TOPIC_INPUT))
                .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    /**
     * An exactly-once sink: records become visible to {@code read_committed} consumers when the
     * checkpoint that covers them completes.
     *
     * @param name distinguishes the sinks' transactional ids within the job
     */
    static <T extends SpecificRecord> KafkaSink<T> exactlyOnce(JobConfig config, String name,
                                                              AvroKafkaRecordSerializer<T> serializer) {
        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(config.get(JobOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setKafkaProducerConfig(producer)
                .build();
    }

    private KafkaSinks() {}
}
