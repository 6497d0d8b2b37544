package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
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

import java.lang.management.ManagementFactory;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak benchmark (not a CI test): the whole job (embedded KRaft broker, local MiniCluster, Lucene
 * index, exactly-once sinks) under a steady input rate for a fixed duration, sampling every few
 * seconds the heap used after a GC, the process RSS ({@code /proc/self/status} VmRSS), live threads,
 * events produced, records out (read_committed), dead letters, the pipeline's depth (produced but
 * not yet out: what queues inside the job, in Kafka's uncommitted transactions and in the batcher),
 * and the output rate. One in 50 events is a corrupt image (dead-lettered). The caption model is
 * the operators' {@link FakeCaptioner} with a fixed per-batch cost ({@code --model-ms}), so the soak
 * measures the pipeline, not the weights.
 *
 * <pre>
 * mvn -B -o -q -pl jobs test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp jobs/target/test-classes:jobs/target/classes:$(cat /tmp/cp.txt) \
 *     io.vlmtagger.jobs.bench.SoakBenchmark --duration 10m --rate 50 --sample 10s
 * </pre>
 */
public final class SoakBenchmark {

    private SoakBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        Duration duration = Duration.parse("PT" + a.getOrDefault("duration", "10m").toUpperCase());
        int rate = Integer.parseInt(a.getOrDefault("rate", "50"));
        Duration sample = Duration.parse("PT" + a.getOrDefault("sample", "10s").toUpperCase());
        int modelMs = Integer.parseInt(a.getOrDefault("model-ms", "5"));
        System.out.printf("soak: %s at %d events/s, sample every %s, fake model %d ms per batch%n",
                duration, rate, sample, modelMs);

        Path work = Files.createTempDirectory("soak");
        FakeCaptioner captioner = new FakeCaptioner();
        String captionerId = FakeModels.register(captioner);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "images", "image-captions", "chat-answers", "image-dead-letters");
            Map<String, String> m = new LinkedHashMap<>();
            m.put(JobOptions.KAFKA_BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
            m.put(JobOptions.CHECKPOINT_INTERVAL.key(), "2 s");
            m.put(JobOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "60 s");
            m.put(JobOptions.SEARCH_LUCENE_DIR.key(), work.resolve("index").toString());
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

            List<long[]> rows = new ArrayList<>();
            System.out.printf("%8s %10s %10s %10s %10s %8s %10s %10s %8s%n", "t_s", "produced", "out", "dead", "depth",
                    "out_ps", "heap_mb", "rss_mb", "threads");
            long start = System.nanoTime();
            long lastOut = 0;
            long lastT = start;
            while (System.nanoTime() - start < duration.toNanos()) {
                Thread.sleep(sample.toMillis());
                System.gc();
                long now = System.nanoTime();
                long o = out.get();
                long d = dead.get();
                long p = produced.get();
                long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
                long rss = rssKb() >> 10;
                long threads = ManagementFactory.getThreadMXBean().getThreadCount();
                long outPs = (o - lastOut) * 1_000_000_000L / Math.max(1, now - lastT);
                long t = (now - start) / 1_000_000_000L;
                rows.add(new long[] {t, p, o, d, p - o - d, outPs, heap, rss, threads});
                System.out.printf("%8d %10d %10d %10d %10d %8d %10d %10d %8d%n", t, p, o, d, p - o - d, outPs, heap, rss, threads);
                lastOut = o;
                lastT = now;
            }
            running.set(false);
            producer.join();
            summary(rows);
            job.cancel().get();
            outReader.join();
            dlReader.join();
        } finally {
            FakeModels.unregister(captionerId);
        }
        System.exit(0);
    }

    /** The registered fake, with a fixed cost per model call (a sleep on the model thread). */
    private static io.vlmtagger.operators.slots.ModelProvider<io.vlmtagger.models.api.ImageCaptioner> slowProvider(
            String id, int modelMs) {
        io.vlmtagger.operators.slots.ModelProvider<io.vlmtagger.models.api.ImageCaptioner> fakes = FakeModels.captionerProvider(id);
        return (spec, device) -> new SlowCaptioner(fakes.acquire(spec, device), modelMs);
    }

    private static void summary(List<long[]> rows) {
        if (rows.size() < 2) {
            return;
        }
        int half = rows.size() / 2;
        System.out.printf("first half / second half averages: heap_mb %.0f / %.0f, rss_mb %.0f / %.0f, depth %.0f / %.0f,"
                        + " out_ps %.1f / %.1f; max depth %d; threads %d -> %d%n",
                avg(rows, 0, half, 6), avg(rows, half, rows.size(), 6), avg(rows, 0, half, 7), avg(rows, half, rows.size(), 7),
                avg(rows, 0, half, 4), avg(rows, half, rows.size(), 4), avg(rows, 0, half, 5), avg(rows, half, rows.size(), 5),
                rows.stream().mapToLong(r -> r[4]).max().orElse(0), rows.get(0)[8], rows.get(rows.size() - 1)[8]);
    }

    private static double avg(List<long[]> rows, int from, int to, int col) {
        return rows.subList(from, to).stream().mapToLong(r -> r[col]).average().orElse(0);
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

    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value pairs (--duration 10m --rate 50 --sample 10s"
                        + " --model-ms 5), got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }
}
