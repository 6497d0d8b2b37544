package io.vlmtagger.jobs.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * Reads a whole topic from the beginning without a consumer group, for tests and the local
 * runner's summary. {@code readCommitted} sets {@code isolation.level=read_committed}, so only
 * records of committed transactions are returned (what a downstream consumer sees).
 */
public final class TopicReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

    public TopicReader(String bootstrapServers, String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                (readCommitted ? "read_committed" : "read_uncommitted").toLowerCase(Locale.ROOT));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrapServers);
        }
        for (PartitionInfo info : infos) {
            parts.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Polls once for up to {@code wait} and returns everything read so far. */
    public List<ConsumerRecord<byte[], byte[]>> poll(Duration wait) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(wait);
        records.forEach(seen::add);
        return List.copyOf(seen);
    }

    /**
     * Polls until {@code done} holds for the records read so far, or {@code timeout} passes;
     * returns the records either way (the caller checks the count).
     */
    public List<ConsumerRecord<byte[], byte[]>> pollUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen) && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(seen);
    }

    /** Polls until at least {@code count} records were read or {@code timeout} passes. */
    public List<ConsumerRecord<byte[], byte[]>> pollAtLeast(int count, Duration timeout) {
        return pollUntil(r -> r.size() >= count, timeout);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
