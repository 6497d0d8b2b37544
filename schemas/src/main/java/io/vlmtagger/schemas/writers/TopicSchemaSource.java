package io.vlmtagger.schemas.writers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka topic whose record values are writer schemas ({@code .avsc} JSON text, UTF-8; keys are
 * free, e.g. {@code ImageEvent/<fingerprint>}; make it compacted). Each poll reads from where the
 * last one stopped up to the end offsets, without a consumer group; the first poll reads the whole
 * topic.
 */
public final class TopicSchemaSource implements SchemaSource {
    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final Set<TopicPartition> assigned = new HashSet<>();

    /** @param timeout how long one poll may take to reach the end of the topic */
    public TopicSchemaSource(String bootstrapServers, String topic, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public List<SchemaText> poll() throws IOException {
        try {
            return readToEnd();
        } catch (KafkaException e) {
            throw new IOException("cannot read the writer-schema topic " + topic + " at " + bootstrapServers + ": " + e, e);
        }
    }

    private List<SchemaText> readToEnd() throws IOException {
        if (consumer == null) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IOException("the writer-schema topic " + topic + " does not exist at " + bootstrapServers);
        }
        Set<TopicPartition> all = new HashSet<>();
        infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
        if (!all.equals(assigned)) {
            Set<TopicPartition> added = new HashSet<>(all);
            added.removeAll(assigned);
            consumer.assign(all);
            consumer.seekToBeginning(added);
            assigned.clear();
            assigned.addAll(all);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(all, timeout);
        List<SchemaText> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the writer-schema topic " + topic + " was not read to its end within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    out.add(new SchemaText(new String(r.value(), StandardCharsets.UTF_8),
                            "topic " + topic + " partition " + r.partition() + " offset " + r.offset()));
                }
            }
        }
        return out;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), timeout) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return "topic " + topic + " at " + bootstrapServers;
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
            consumer = null;
        }
    }
}
