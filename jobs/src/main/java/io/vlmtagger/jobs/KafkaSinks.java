package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.schemas.flink.AvroKafkaRecordSerializer;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Properties;

/** The job's exactly-once Kafka sinks, built from the {@link JobOptions}; the sources are {@link KafkaSources}. */
final class KafkaSinks {

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
