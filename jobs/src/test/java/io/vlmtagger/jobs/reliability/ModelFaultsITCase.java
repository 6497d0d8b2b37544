package io.vlmtagger.jobs.reliability;

import io.vlmtagger.jobs.CheckpointModels;
import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.training.Placeholders;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeImages;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model faults through the whole job: a poison image fails its batch, the batch is retried one
 * element at a time and only the poison reaches the dead letters; a batch that runs out of device
 * memory is split and retried smaller, and nothing is lost; a checkpoint that cannot be loaded fails
 * the job with an error naming the checkpoint and the cause; two job runs in the same JVM both load
 * a real (tiny, untrained) BLIP-2 and release it when they end. One broker for the class; each test
 * has its own input topic and its own event-id prefix on the shared output topics.
 */
class ModelFaultsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    @TempDir
    static Path tmp;

    private static PipelineHarness harness;

    @BeforeAll
    static void startBroker() {
        harness = new PipelineHarness(tmp);
    }

    @AfterAll
    static void stopBroker() {
        harness.close();
    }

    @Test
    void aPoisonImageFailsAloneAndItsBatchmatesAreCaptioned() throws Exception {
        FakeCaptioner fake = new FakeCaptioner();
        String id = FakeModels.register(fake);
        try {
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (int i = 0; i < 7; i++) {
                images.put("poison-test-" + i, FakeImages.image("shape " + i));
            }
            images.put("poison-test-p", FakeImages.image("poison pill"));
            JobClient job = start("images-poison", FakeModels.captionerProvider(id),
                    "inference.max-batch-size", "8", "inference.max-batch-wait", "1 s", "job.parallelism", "1");
            try {
                send("images-poison", images);
                List<EnrichedImage> out = read("image-captions", EnrichedImage.class,
                        e -> e.getEventId().startsWith("poison-test-"), 7, Duration.ofSeconds(60));
                List<DeadLetter> dls = read("image-dead-letters", DeadLetter.class,
                        d -> d.getEventId() != null && d.getEventId().startsWith("poison-test-"), 1, Duration.ofSeconds(30));
                assertThat(out).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrder(
                        "poison-test-0", "poison-test-1", "poison-test-2", "poison-test-3", "poison-test-4",
                        "poison-test-5", "poison-test-6");
                assertThat(dls).hasSize(1);
                assertThat(dls.get(0).getEventId()).isEqualTo("poison-test-p");
                assertThat(dls.get(0).getStage()).isEqualTo(FailureStage.INFERENCE);
                assertThat(dls.get(0).getReason()).isEqualTo("inference_failed");
                assertThat(dls.get(0).getErrorMessage()).contains("poison pill");
                // the poison shared a batch with others, then was retried alone
                assertThat(fake.batches()).anySatisfy(b -> assertThat(b).contains("poison pill").hasSizeGreaterThan(1));
                assertThat(fake.batches()).anySatisfy(b -> assertThat(b).containsExactly("poison pill"));
                System.out.println("poison: model batches " + fake.batches().stream().map(List::size).toList());
            } finally {
                job.cancel().get();
            }
        } finally {
            FakeModels.unregister(id);
        }
    }

    @Test
    void aBatchThatRunsOutOfDeviceMemoryIsSplitAndNothingIsLost() throws Exception {
        BatchLimitedCaptioner model = new BatchLimitedCaptioner(2);
        String id = BatchLimitedCaptioner.register("oom-" + System.nanoTime(), model);
        try {
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (int i = 0; i < 16; i++) {
                images.put("oom-test-" + i, FakeImages.image("shape " + i));
            }
            JobClient job = start("images-oom", BatchLimitedCaptioner.provider(id),
                    "inference.max-batch-size", "8", "inference.max-batch-wait", "1 s", "job.parallelism", "1");
            try {
                send("images-oom", images);
                List<EnrichedImage> out = read("image-captions", EnrichedImage.class,
                        e -> e.getEventId().startsWith("oom-test-"), 16, Duration.ofSeconds(60));
                List<DeadLetter> dls = read("image-dead-letters", DeadLetter.class,
                        d -> d.getEventId() != null && d.getEventId().startsWith("oom-test-"), 0, Duration.ofSeconds(2));
                assertThat(out).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrderElementsOf(images.keySet());
                assertThat(out).allSatisfy(e -> assertThat(e.getCaption()).startsWith("a photo of shape "));
                assertThat(dls).isEmpty();
                assertThat(model.failedSizes()).as("batches over the memory budget were tried").isNotEmpty();
                assertThat(model.batchSizes()).as("and split into smaller ones that ran")
                        .anySatisfy(s -> assertThat(s).isBetween(2, 2));
                System.out.println("oom split: model batch sizes " + model.batchSizes());
            } finally {
                job.cancel().get();
            }
        } finally {
            BatchLimitedCaptioner.unregister(id);
        }
    }

    @Test
    void aCheckpointThatCannotBeLoadedFailsTheJobNamingTheCheckpointAndTheCause() throws Exception {
        Path good = tinyBlip2();
        Path missing = tmp.resolve("no-such-blip2");
        Path empty = Files.createDirectories(tmp.resolve("empty-blip2"));
        Path badJson = copyOf(good, "bad-json-blip2");
        Files.writeString(badJson.resolve("config.json"), "{\"model_type\": \"blip-2\", ");
        Path noWeights = copyOf(good, "no-weights-blip2");
        Files.delete(noWeights.resolve("model.safetensors"));
        Map<Path, String> causes = new LinkedHashMap<>();
        causes.put(missing, "does not exist");
        causes.put(empty, "has no preprocessor_config.json");
        causes.put(badJson, "cannot parse");
        causes.put(noWeights, "safetensors");
        Map<Path, String> seen = new LinkedHashMap<>();
        for (Path checkpoint : causes.keySet()) {
            seen.put(checkpoint, failureOf(checkpoint));
            System.out.println("load failure for " + checkpoint.getFileName() + ": " + seen.get(checkpoint));
        }
        for (Map.Entry<Path, String> c : causes.entrySet()) {
            assertThat(seen.get(c.getKey())).contains(c.getKey().toString()).contains(c.getValue());
        }
    }

    @Test
    void twoJobRunsInOneJvmBothLoadARealModelAndReleaseIt() throws Exception {
        Path checkpoint = tinyBlip2();
        SharedModelRegistry registry = SharedModelRegistry.global();
        int loadedBefore = registry.size();
        for (int run = 1; run <= 2; run++) {
            String topic = "images-real-" + run;
            harness.kafka().createTopics(1, topic);
            Map<String, byte[]> images = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                images.put("real-run" + run + "-" + i, TestImages.pngRgb(20 + i, 16));
            }
            JobClient job = start(topic, CheckpointModels.captioners(),
                    "model.caption.checkpoint", checkpoint.toString(), "job.parallelism", "1",
                    "caption.max-new-tokens", "4");
            try {
                send(topic, images);
                String prefix = "real-run" + run + "-";
                List<EnrichedImage> out = read("image-captions", EnrichedImage.class,
                        e -> e.getEventId().startsWith(prefix), 3, Duration.ofSeconds(90));
                assertThat(out).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrderElementsOf(images.keySet());
                assertThat(registry.size()).as("run %d holds its model", run).isEqualTo(loadedBefore + 1);
            } finally {
                job.cancel().get();
            }
            awaitTerminal(job);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (registry.size() > loadedBefore && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(registry.size()).as("run %d released its model when it ended", run).isEqualTo(loadedBefore);
        }
    }

    // ---- helpers

    private static String failureOf(Path checkpoint) throws Exception {
        String topic = "images-load-" + checkpoint.getFileName();
        harness.kafka().createTopics(1, topic);
        JobClient job = start(topic, CheckpointModels.captioners(), "model.caption.checkpoint", checkpoint.toString(),
                "restart-strategy.type", "none");
        try {
            job.getJobExecutionResult().get();
            throw new AssertionError("the job ran although checkpoint " + checkpoint + " cannot be loaded");
        } catch (java.util.concurrent.ExecutionException e) {
            // the models module's CheckpointException (and what caused it) is what an operator reads
            // in the JobManager's exception history; without one, the whole chain (the test fails)
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof io.vlmtagger.models.api.CheckpointException) {
                    return t + (t.getCause() == null ? "" : " <- " + t.getCause());
                }
                chain.append(t).append(" <- ");
            }
            return "no CheckpointException in " + chain;
        }
    }

    private static JobClient start(String inputTopic, ModelProvider<ImageCaptioner> provider, String... extra) throws Exception {
        harness.kafka().createTopics(1, inputTopic);
        List<String> kv = new ArrayList<>(List.of("topic.input", inputTopic,
                "search.lucene.dir", tmp.resolve("index-" + inputTopic).toString(),
                "kafka.group-id", "group-" + inputTopic));
        Configuration flink = new Configuration();
        for (int i = 0; i + 1 < extra.length; i += 2) {
            if (extra[i].startsWith("restart-strategy")) {
                flink.setString(extra[i], extra[i + 1]);
            } else {
                kv.add(extra[i]);
                kv.add(extra[i + 1]);
            }
        }
        JobConfig config = harness.config(kv.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(flink);
        TaggingJob.builder().setConfig(config).setCaptionerProvider(provider).build().addTo(env);
        return env.executeAsync("model-faults-" + inputTopic);
    }

    private static void send(String topic, Map<String, byte[]> images) throws Exception {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> e : images.entrySet()) {
                ImageEvent event = ImageEvent.newBuilder().setEventId(e.getKey()).setEventTime(Instant.now())
                        .setSource("model-faults").setImage(InlineImage.newBuilder()
                                .setData(ByteBuffer.wrap(e.getValue())).setContentType(null).build())
                        .setTasks(new ArrayList<>(List.of(TaskType.CAPTION))).setQuestion(null)
                        .setConversationId(null).setAttributes(new HashMap<>()).build();
                producer.send(new ProducerRecord<>(topic, codec.encode(event))).get();
            }
        }
    }

    /** Records of {@code topic} (read_committed) matching {@code mine}, once {@code expected} of them arrived, plus a settle second. */
    private static <T extends SpecificRecord> List<T> read(String topic, Class<T> type, Predicate<T> mine, int expected,
                                                           Duration timeout) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        try (TopicReader reader = new TopicReader(harness.kafka().bootstrapServers(), topic, true)) {
            Predicate<List<ConsumerRecord<byte[], byte[]>>> enough = records -> decode(codec, records, mine).size() >= expected;
            reader.pollUntil(enough, timeout);
            return decode(codec, reader.pollUntil(r -> false, Duration.ofSeconds(1)), mine);
        }
    }

    private static <T extends SpecificRecord> List<T> decode(AvroCodec<T> codec, List<ConsumerRecord<byte[], byte[]>> records,
                                                             Predicate<T> mine) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                T t = codec.decode(r.value());
                if (mine.test(t)) {
                    out.add(t);
                }
            } catch (io.vlmtagger.schemas.serde.AvroDecodeException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static Path copyOf(Path checkpoint, String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(checkpoint)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    private static void awaitTerminal(JobClient job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!job.getJobStatus().get().isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.CANCELED);
    }

    /**
     * A tiny BLIP-2 in HuggingFace layout with untrained weights, every weight matrix scaled up so
     * that greedy decoding produces words rather than stopping at once ({@link Placeholders#writeBlip2}).
     */
    private static synchronized Path tinyBlip2() throws Exception {
        Path dir = tmp.resolve("tiny-blip2");
        if (!Files.exists(dir.resolve("model.safetensors"))) {
            Placeholders.writeBlip2(dir);
        }
        return dir;
    }
}
