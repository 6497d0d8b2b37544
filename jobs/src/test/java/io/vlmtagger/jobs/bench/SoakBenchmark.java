package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeImages;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.InlineImage;
import io.vlmtagger.schemas.TaskType;
import io.vlmtagger.schemas.serde.AvroCodec;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Soak benchmark (not a CI test): the tagging job (local MiniCluster with parallelism 2, Lucene
 * index, exactly-once Kafka sinks, checkpoints every 2 s) under a steady input rate for a fixed
 * duration, with the Kafka broker in a child JVM ({@link BrokerProcess}) so that this process holds
 * only the job, the model, the sinks and the harness's one producer and two readers. One in 50
 * events is a corrupt image (dead-lettered). The caption model is the operators'
 * {@link FakeCaptioner} with a fixed per-batch cost ({@code --model-ms}), so the soak measures the
 * pipeline, not the weights.
 *
 * <p>Every second it reads the depth (produced but not yet out or dead-lettered: Flink's queues,
 * the batcher, and output waiting for the next checkpoint's commit); every {@code --sample} it
 * takes a {@link MemorySample} (heap after a full GC, non-heap, metaspace, direct and mapped
 * buffers, threads, RSS with its anonymous and file parts), the broker child's RSS and the Lucene
 * index's size on disk. A class histogram of the live heap is taken at {@code --histogram-at} and
 * at the end, and the top growers between them printed; with {@code -XX:NativeMemoryTracking=summary}
 * also the native memory per category between the same two points ({@link NativeMemory}). At the end: a table per minute, the
 * slopes over the second half and the verdict ({@link SoakReport}); the exit status is 0 when the
 * verdict is flat and bounded, 1 otherwise.
 *
 * <pre>
 * mvn -B -o -q -pl jobs -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -XX:NativeMemoryTracking=summary -cp jobs/target/test-classes:jobs/target/classes:$(cat /tmp/cp.txt) \
 *     io.vlmtagger.jobs.bench.SoakBenchmark --duration 10m --rate 50 --sample 30s --histogram-at 3m
 * </pre>
 */
public final class SoakBenchmark {
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    private static final int GROWERS = 15;

    private SoakBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        Duration duration = duration(a.getOrDefault("duration", "10m"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "50"));
        Duration sample = duration(a.getOrDefault("sample", "30s"));
        Duration histogramAt = duration(a.getOrDefault("histogram-at", "3m"));
        int modelMs = Integer.parseInt(a.getOrDefault("model-ms", "5"));
        String brokerHeap = a.getOrDefault("broker-heap", "512m");
        System.out.printf("soak: %s at %d events/s, sample every %s, histogram at %s and at the end, fake model %d ms"
                + " per batch, broker in a child JVM (-Xmx%s); this JVM: %s, -Xmx%d MB%n", duration, rate, sample,
                histogramAt, modelMs, brokerHeap, ManagementFactory.getRuntimeMXBean().getPid(),
                Runtime.getRuntime().maxMemory() >> 20);

        Path work = Files.createTempDirectory("soak");
        Path index = work.resolve("index");
        FakeCaptioner captioner = new FakeCaptioner();
        String captionerId = FakeModels.register(captioner);
        boolean ok;
        try (BrokerProcess kafka = BrokerProcess.start(brokerHeap, work.resolve("broker.log"), 2,
                "images", "image-captions", "chat-answers", "image-dead-letters")) {
            System.out.printf("broker: pid %d at %s, log %s%n", kafka.pid(), kafka.bootstrapServers(), work.resolve("broker.log"));
            Map<String, String> m = new LinkedHashMap<>();
            m.put(JobOptions.KAFKA_BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
            m.put(JobOptions.CHECKPOINT_INTERVAL.key(), CHECKPOINT_INTERVAL.toMillis() + " ms");
            m.put(JobOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "60 s");
            m.put(JobOptions.SEARCH_LUCENE_DIR.key(), index.toString());
            m.put(JobOptions.MODEL_CAPTION_CHECKPOINT.key(), "fake-blip2");
            m.put(JobOptions.JOB_PARALLELISM.key(), "2");
            m.put("inference.max-batch-wait", "20 ms");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            TaggingJob.builder().setConfig(JobConfig.fromMap(m))
                    .setCaptionerProvider(slowProvider(captionerId, modelMs))
                    .build().addTo(env);
            JobClient job = env.executeAsync("soak");

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong produced = new AtomicLong();
            AtomicLong out = new AtomicLong();
            AtomicLong dead = new AtomicLong();
            Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), rate, running, produced), "soak-producer");
            Thread outReader = new Thread(() -> count(kafka.bootstrapServers(), "image-captions", running, out), "soak-out");
            Thread dlReader = new Thread(() -> count(kafka.bootstrapServers(), "image-dead-letters", running, dead), "soak-dl");
            producer.start();
            outReader.start();
            dlReader.start();

            List<SoakRow> rows = new ArrayList<>();
            Path earlyHistogram = null;
            String earlyAt = null;
            SoakReport.printHeader(System.out);
            long start = System.nanoTime();
            long nextSample = sample.toNanos();
            long maxDepth = 0;
            while (true) {
                long elapsed = System.nanoTime() - start;
                long p = produced.get();
                maxDepth = Math.max(maxDepth, p - out.get() - dead.get());
                if (elapsed >= nextSample) {
                    MemorySample jvm = MemorySample.take();
                    ProcStatus broker = ProcStatus.of(kafka.pid());
                    long[] disk = directorySize(index);
                    long o = out.get();
                    long d = dead.get();
                    p = produced.get();
                    SoakRow row = new SoakRow((System.nanoTime() - start) / 1e9, p, o, d, p - o - d,
                            Math.max(maxDepth, p - o - d), jvm, broker, disk[0], (int) disk[1]);
                    SoakReport.printRow(System.out, String.format("%.0fs", row.seconds()), row,
                            rows.isEmpty() ? null : rows.get(rows.size() - 1), row.maxDepth());
                    rows.add(row);
                    maxDepth = 0;
                    nextSample += sample.toNanos();
                    if (earlyHistogram == null && elapsed >= histogramAt.toNanos()) {
                        earlyAt = String.format("t=%.0fs", (System.nanoTime() - start) / 1e9);
                        earlyHistogram = Files.writeString(work.resolve("histogram-" + earlyAt + ".txt"), ClassHistogram.takeText());
                        if (NativeMemory.enabled()) {
                            NativeMemory.baseline();
                        }
                    }
                    if (elapsed >= duration.toNanos()) {
                        break;
                    }
                }
                Thread.sleep(1000);
            }
            String endAt = String.format("t=%.0fs", (System.nanoTime() - start) / 1e9);
            Path endHistogram = Files.writeString(work.resolve("histogram-" + endAt + ".txt"), ClassHistogram.takeText());
            running.set(false);
            producer.join();
            SoakReport report = new SoakReport(rows, duration.toSeconds(), rate, CHECKPOINT_INTERVAL.toMillis() / 1000.0);
            report.printMinutes(System.out);
            if (earlyHistogram != null) {
                SoakReport.printGrowers(System.out, earlyAt, ClassHistogram.parse(Files.readString(earlyHistogram)), endAt,
                        ClassHistogram.parse(Files.readString(endHistogram)), GROWERS);
                System.out.printf("histograms: %s, %s%n", earlyHistogram, endHistogram);
                if (NativeMemory.enabled()) {
                    Path nmt = Files.writeString(work.resolve("native-memory-" + endAt + ".txt"), NativeMemory.summaryDiff());
                    System.out.printf("native memory (committed) %s -> %s, by category (%s):%n%s%n", earlyAt, endAt, nmt,
                            NativeMemory.categories(Files.readString(nmt)));
                }
            }
            long[] disk = directorySize(index);
            System.out.printf("Lucene index at the end: %.1f MB in %d files%n", disk[0] / (double) (1 << 20), disk[1]);
            ok = report.printVerdict(System.out);
            job.cancel().get();
            outReader.join();
            dlReader.join();
        } finally {
            FakeModels.unregister(captionerId);
        }
        System.exit(ok ? 0 : 1);
    }

    /** Bytes and number of files under {@code dir} (0 if it does not exist yet); files a merge deletes meanwhile are skipped. */
    private static long[] directorySize(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new long[] {0, 0};
        }
        long bytes = 0;
        long files = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                try {
                    bytes += Files.size(f);
                    files++;
                } catch (NoSuchFileException gone) {
                    // deleted by a merge or a commit between the listing and the stat
                }
            }
        }
        return new long[] {bytes, files};
    }

    private static Duration duration(String text) {
        return Duration.parse("PT" + text.toUpperCase());
    }

    /** The registered fake, with a fixed cost per model call (a sleep on the model thread). */
    private static io.vlmtagger.operators.runtime.ModelProvider<io.vlmtagger.models.api.ImageCaptioner> slowProvider(
            String id, int modelMs) {
        io.vlmtagger.operators.runtime.ModelProvider<io.vlmtagger.models.api.ImageCaptioner> fakes = FakeModels.captionerProvider(id);
        return (spec, device) -> new SlowCaptioner(fakes.acquire(spec, device), modelMs);
    }

    private static void produce(String bootstrap, int rate, AtomicBoolean running, AtomicLong produced) {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long intervalNs = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long i = 0;
            while (running.get()) {
                String label = (i % 50 == 49 ? "corrupt " : "shape ") + i;
                ImageEvent e = ImageEvent.newBuilder().setEventId("soak-" + i).setEventTime(Instant.now())
                        .setSource("soak").setImage(InlineImage.newBuilder()
                                .setData(ByteBuffer.wrap(FakeImages.image(label))).setContentType(null).build())
                        .setTasks(new ArrayList<>(List.of(TaskType.CAPTION))).setQuestion(null)
                        .setConversationId(null).setAttributes(new HashMap<>()).build();
                producer.send(new ProducerRecord<>("images", codec.encode(e)), (md, err) -> {
                    if (err == null) {
                        produced.incrementAndGet();
                    } else {
                        System.err.println("send failed: " + err);
                    }
                });
                i++;
                next += intervalNs;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void count(String bootstrap, String topic, AtomicBoolean running, AtomicLong counter) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> r = c.poll(Duration.ofMillis(500));
                counter.addAndGet(r.count());
            }
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value pairs (--duration 10m --rate 50 --sample 30s"
                        + " --model-ms 5 --histogram-at 3m --broker-heap 512m), got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }
}
