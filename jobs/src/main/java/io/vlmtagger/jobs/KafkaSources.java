package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.StartingOffsets;
import io.vlmtagger.operators.fewshot.ExemplarDeserializationSchema;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.flink.RawKafkaRecord;
import io.vlmtagger.schemas.flink.RawRecordDeserializationSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka sources, built from the {@link JobOptions}; the sinks are {@link KafkaSinks}. */
final class KafkaSources {

    /** The input topic: raw records, never throwing on content (decoding happens downstream). */
    static KafkaSource<RawKafkaRecord> images(JobConfig config) {
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
     * The exemplars topic, read from the earliest offset on every start so that the broadcast state
     * of a fresh job is rebuilt from the topic (make the topic compacted, keyed by label set and
     * exemplar id); a restore from a checkpoint resumes where it was.
     */
    static KafkaSource<Exemplar> exemplars(JobConfig config) {
        return KafkaSource.<Exemplar>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setTopics(config.get(JobOptions.TOPIC_EXEMPLARS))
                .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID) + "-exemplars")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ExemplarDeserializationSchema())
                .build();
    }

    private KafkaSources() {}
}
