package io.vlmtagger.jobs.testutils;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.operators.search.lucene.LuceneSearcher;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import io.vlmtagger.schemas.serde.AvroCodec;
import io.vlmtagger.schemas.serde.AvroDecodeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * What the end-to-end ITCases share: a broker with the job's topics, a configuration pointing the
 * job at them (fast checkpoints, Lucene in a temp dir), producers and read_committed readers.
 */
public final class PipelineHarness implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final Path workDir;

    public PipelineHarness(Path workDir) {
        this.workDir = workDir;
        this.kafka = EmbeddedKafka.start();
        kafka.createTopics(2, "images", "image-captions", "chat-answers", "image-dead-letters");
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public Path indexDir() {
        return workDir.resolve("index");
    }

    /**
     * The search index's document count once it holds {@code expected}, read again {@code settle}
     * later so that extra documents show; the last count when {@code timeout} passes first.
     */
    public int awaitIndexCount(int expected, Duration timeout, Duration settle) throws Exception {
        int count = LuceneSearcher.awaitCount(indexDir(), expected, timeout);
        if (count < expected) {
            return count;
        }
        Thread.sleep(settle.toMillis());
        try (LuceneSearcher later = new LuceneSearcher(indexDir())) {
            return later.count();
        }
    }

    /**
     * The Flink cluster of the end-to-end ITCases: one TaskManager with two slots, so that a job of
     * parallelism 2 runs and two subtasks share one model (register it as a static extension).
     */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    /** The job's configuration for this broker, plus {@code extra} {@code key, value} pairs. */
    public JobConfig config(String... extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(JobOptions.KAFKA_BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        m.put(JobOptions.CHECKPOINT_INTERVAL.key(), "300 ms");
        m.put(JobOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "60 s");
        m.put(JobOptions.SEARCH_LUCENE_DIR.key(), indexDir().toString());
        m.put(JobOptions.MODEL_CAPTION_CHECKPOINT.key(), "fake-blip2");
        m.put(JobOptions.JOB_PARALLELISM.key(), "2");
        m.put("inference.max-batch-wait", "5 ms");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return JobConfig.fromMap(m);
    }

    /** Sends events built by {@code build} through the project's producer, checking every send. */
    public void produce(Consumer<ImageEventProducer.Builder> configure, ProducerBody body) throws Exception {
        ImageEventProducer.Builder b = ImageEventProducer.builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopic("images");
        configure.accept(b);
        try (ImageEventProducer p = b.build()) {
            body.run(p);
            p.flush();
        }
    }

    /** Body of {@link #produce}. */
    @FunctionalInterface
    public interface ProducerBody {
        void run(ImageEventProducer producer) throws Exception;
    }

    /** Sends raw bytes (e.g. malformed records) to the input topic. */
    public void produceRaw(List<byte[]> values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>("images", v)).get();
            }
        }
    }

    /**
     * Reads {@code topic} with {@code isolation.level=read_committed} until {@code expected} records
     * arrived (or the timeout), then for {@code settle} longer to catch duplicates, and decodes them.
     */
    public <T extends SpecificRecord> List<T> readCommitted(String topic, Class<T> type, int expected,
                                                            Duration timeout, Duration settle) throws AvroDecodeException {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic, true)) {
            reader.pollAtLeast(expected, timeout);
            List<ConsumerRecord<byte[], byte[]>> all = reader.pollUntil(r -> false, settle);
            for (ConsumerRecord<byte[], byte[]> r : all) {
                out.add(codec.decode(r.value()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        kafka.close();
    }
}
