package io.vlmtagger.jobs.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void readCommittedSeesOnlyCommittedTransactions() throws Exception {
        kafka.createTopics(2, "tx-topic");
        try (KafkaProducer<byte[], byte[]> producer = producer(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("tx-topic", ("committed-" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-topic", "aborted".getBytes(StandardCharsets.UTF_8))).get();
            producer.abortTransaction();
        }
        try (TopicReader committed = new TopicReader(kafka.bootstrapServers(), "tx-topic", true);
                TopicReader all = new TopicReader(kafka.bootstrapServers(), "tx-topic", false)) {
            List<ConsumerRecord<byte[], byte[]>> c = committed.pollAtLeast(5, Duration.ofSeconds(20));
            List<ConsumerRecord<byte[], byte[]>> u = all.pollAtLeast(6, Duration.ofSeconds(20));
            // give read_committed a moment to (wrongly) deliver the aborted record
            c = committed.pollUntil(r -> false, Duration.ofMillis(500));
            assertThat(c).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
            assertThat(u).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).contains("aborted");
        }
    }

    /**
     * Records sent the moment createTopics returns are all written: before it waited for the
     * replica manager, an idempotent producer could get NOT_LEADER_OR_FOLLOWER for its first batch
     * to a partition, have the second written, and retry the first until its delivery timeout.
     */
    @Test
    void everyPartitionTakesIdempotentWritesRightAfterCreation() throws Exception {
        int partitions = 4;
        try (KafkaProducer<byte[], byte[]> producer = producer(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0", ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000")) {
            for (int round = 0; round < 5; round++) {
                String topic = "fresh-" + round;
                kafka.createTopics(partitions, topic);
                List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new java.util.ArrayList<>();
                for (int i = 0; i < 3 * partitions; i++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, new byte[] {(byte) i})));
                }
                for (var ack : acks) {
                    assertThat(ack.get(20, java.util.concurrent.TimeUnit.SECONDS).hasOffset()).isTrue();
                }
            }
        }
    }

    /** A byte-array producer of this broker with the given settings (key, value, key, value, ...). */
    private static KafkaProducer<byte[], byte[]> producer(String... settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        for (int i = 0; i + 1 < settings.length; i += 2) {
            p.put(settings[i], settings[i + 1]);
        }
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void createTopicsIsIdempotentAndReaderRejectsMissingTopics() {
        kafka.createTopics(1, "twice");
        kafka.createTopics(1, "twice");
        assertThatThrownBy(() -> new TopicReader(kafka.bootstrapServers(), "no-such-topic", true))
                .hasMessageContaining("no-such-topic");
    }
}
