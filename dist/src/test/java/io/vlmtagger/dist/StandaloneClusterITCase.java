package io.vlmtagger.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.jobs.kafka.TopicReader;
import io.vlmtagger.jobs.local.LocalImages;
import io.vlmtagger.operators.search.lucene.LuceneSearcher;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import io.vlmtagger.schemas.serde.AvroCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The job on a real Flink cluster: a JobManager and two TaskManagers (2 slots each) started from
 * the Maven-built Flink home ({@code dist/target/vlm-tagger-flink}) as separate JVMs with its
 * {@code bin/} scripts, the job jar submitted with Flink's CLI ({@code bin/flink run}) exactly as
 * docs/cluster.md tells a user, the trained tiny BLIP-2 the job jar ships captioning
 * ({@code builtin:tiny-blip2-shapes}), checkpoints on a shared directory, an in-process KRaft broker.
 *
 * <p>Mid-stream one TaskManager is killed with SIGKILL and a replacement started; then every event
 * is exactly once on the captions topic (read_committed) or among the dead letters, and once in the
 * search index. Both TaskManagers captioned (their Prometheus endpoints count batches), each loaded
 * the model once for its two slots (their logs), the job's metrics are scrapeable with operator
 * labels, and a second job then runs on the same TaskManager JVMs, one whose class path carries
 * DJL as well ({@code bin/flink run -C}): DJL's classes and native libraries come from lib/, so a
 * new job's class loader does not load them again (DjlInTheJobClassPathITCase: what happens
 * otherwise).
 */
class StandaloneClusterITCase {

    private static final int PARTITIONS = 4;
    private static final int PARALLELISM = 4;
    /** Events of the first job; every 20th (from #7) carries bytes that are not an image. */
    private static final int EVENTS = 200;
    private static final int CORRUPT_EVERY = 20;
    private static final int UNDECODABLE = 6;
    private static final int SECOND_JOB_EVENTS = 8;
    private static final int DISTINCT_IMAGES = 24;

    private static final Duration START = Duration.ofMinutes(2);
    private static final Duration RESULTS = Duration.ofMinutes(4);
    private static final String CAPTION_OPERATOR = "caption";
    private static final String METRIC_PREFIX = "flink_taskmanager_job_task_operator_";
    /** The trained tiny BLIP-2 the job jar ships; each TaskManager extracts it from the jar. */
    static final String TINY_BLIP2 = "builtin:tiny-blip2-shapes";

    /** Kept after the run (target/cluster-it): the processes' logs are what to read when it fails. */
    private Path work;

    private final List<byte[]> images = new ArrayList<>();

    @Test
    void jobSubmittedWithTheCliSurvivesATaskManagerKillExactlyOnce() throws Exception {
        FlinkHome home = FlinkHome.fromBuild();
        work = home.workDir("standalone-cluster");
        makeImages();
        Path index = work.resolve("index");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optBaseDirectory(work.resolve("kafka")).build();
             StandaloneCluster cluster = StandaloneCluster.configure(home, work, Map.of(
                     "execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString(),
                     "io.tmp.dirs", work.resolve("tmp").toString(),
                     // a dead TaskManager is noticed within seconds (defaults: 10 s / 50 s)
                     "heartbeat.interval", "2 s",
                     "heartbeat.timeout", "20 s"))) {
            kafka.createTopics(PARTITIONS, "images", "image-captions", "image-dead-letters", "chat-answers", "exemplars",
                    "images-2", "image-captions-2", "image-dead-letters-2", "chat-answers-2");

            cluster.startJobManager(START);
            FlinkProcess tm1 = cluster.startTaskManager();
            FlinkProcess tm2 = cluster.startTaskManager();
            cluster.awaitTaskManagers(2, START);

            // as docs/cluster.md: bin/flink run -d -p 4 -c io.vlmtagger.jobs.TaggingJob usrlib/vlm-tagger-job.jar --key value ...
            String job = cluster.submitDetached("-p", Integer.toString(PARALLELISM),
                    "-c", "io.vlmtagger.jobs.TaggingJob", home.jobJar().toString(),
                    "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "--model.caption.checkpoint", TINY_BLIP2,
                    "--checkpoint.interval", "1 s",
                    "--search.lucene.dir", index.toString(),
                    "--job.name", "vlm-tagger-cluster");
            cluster.awaitJobState(job, "RUNNING", START);

            List<String> goodIds = new ArrayList<>();
            List<String> corruptIds = new ArrayList<>();
            produce(kafka, "images", "ev-", 0, EVENTS / 2, goodIds, corruptIds);

            // mid-stream: output is being committed and both TaskManagers have run caption batches
            List<EnrichedImage> before = readCommitted(kafka, "image-captions", EnrichedImage.class, goodIds.size() / 4,
                    RESULTS, Duration.ZERO);
            assertThat(before.size()).as("captions committed before the kill").isGreaterThanOrEqualTo(goodIds.size() / 4);
            int tm1Port = cluster.prometheusPort(tm1, START);
            int tm2Port = cluster.prometheusPort(tm2, START);
            awaitCaptionBatches(cluster, tm1Port, tm1);
            awaitCaptionBatches(cluster, tm2Port, tm2);
            long loadsBefore = tm1.countLogLines("Loaded model");
            long acquiresBefore = tm1.countLogLines("acquired model");

            tm1.kill();
            produce(kafka, "images", "ev-", EVENTS / 2, EVENTS, goodIds, corruptIds);
            produceUndecodable(kafka, "images");
            FlinkProcess tm3 = cluster.startTaskManager();

            List<EnrichedImage> out = readCommitted(kafka, "image-captions", EnrichedImage.class, goodIds.size(),
                    RESULTS, Duration.ofSeconds(3));
            List<DeadLetter> dls = readCommitted(kafka, "image-dead-letters", DeadLetter.class,
                    corruptIds.size() + UNDECODABLE, RESULTS, Duration.ofSeconds(1));

            // exactly once: every good event once on the captions topic, every bad one once a dead letter
            Map<String, Long> outCounts = out.stream()
                    .collect(Collectors.groupingBy(EnrichedImage::getEventId, Collectors.counting()));
            assertThat(outCounts.keySet()).containsExactlyInAnyOrderElementsOf(goodIds);
            assertThat(outCounts.values()).as("no duplicates in the read_committed output").containsOnly(1L);
            assertThat(out).allSatisfy(e -> assertThat(e.getCaption()).isNotBlank());
            assertThat(dls.stream().filter(d -> d.getStage() == FailureStage.PREPROCESS).map(DeadLetter::getEventId))
                    .containsExactlyInAnyOrderElementsOf(corruptIds);
            assertThat(dls).filteredOn(d -> d.getStage() == FailureStage.DECODE).hasSize(UNDECODABLE);
            assertThat(out.size() + dls.size()).as("in = out + dead letters")
                    .isEqualTo(EVENTS + UNDECODABLE);
            assertThat(LuceneSearcher.awaitCount(index, goodIds.size(), RESULTS)).as("each event once in the search index")
                    .isEqualTo(goodIds.size());
            assertThat(cluster.jobState(job)).isEqualTo("RUNNING");

            // one model per TaskManager: the registry loads once, each of the two slots acquires it
            assertThat(loadsBefore).as("model loads of %s before the kill", tm1).isEqualTo(1);
            assertThat(acquiresBefore).as("slots of %s that acquired the model", tm1).isEqualTo(2);
            assertThat(tm3.countLogLines("Loaded model")).as("model loads of the replacement %s", tm3).isEqualTo(1);
            assertThat(tm3.countLogLines("acquired model")).as("slots of %s that acquired the model", tm3).isEqualTo(2);

            // metrics: both live TaskManagers captioned after the restart, scrapeable with operator labels
            int tm3Port = cluster.prometheusPort(tm3, START);
            PrometheusScrape tm2Metrics = awaitCaptionBatches(cluster, tm2Port, tm2);
            PrometheusScrape tm3Metrics = awaitCaptionBatches(cluster, tm3Port, tm3);
            for (PrometheusScrape scrape : List.of(tm2Metrics, tm3Metrics)) {
                assertJobMetrics(scrape);
            }
            assertThat(tm2Metrics.sum(METRIC_PREFIX + "dead_letters_preprocess", captionLabels())
                    + tm3Metrics.sum(METRIC_PREFIX + "dead_letters_preprocess", captionLabels()))
                    .as("corrupt images of the second half counted as PREPROCESS dead letters")
                    .isGreaterThanOrEqualTo(1);
            System.out.printf("cluster: in %d, out %d, dead letters %d; model loads/acquires tm1 %d/%d, tm2 %d/%d, tm3 %d/%d%n",
                    EVENTS + UNDECODABLE, out.size(), dls.size(), loadsBefore, acquiresBefore,
                    tm2.countLogLines("Loaded model"), tm2.countLogLines("acquired model"),
                    tm3.countLogLines("Loaded model"), tm3.countLogLines("acquired model"));

            // a second job on the same TaskManager JVMs, a new user class loader, and one whose class
            // path carries DJL as well (-C): classloader.parent-first-patterns.additional: ai.djl.
            // makes it use lib/'s DJL, whose native libraries this JVM has loaded already
            cluster.flink("cancel", job);
            cluster.awaitJobState(job, "CANCELED", START);
            long tm2Loads = tm2.countLogLines("Loaded model");
            long tm3Loads = tm3.countLogLines("Loaded model");
            List<String> secondRun = new ArrayList<>(List.of("-p", Integer.toString(PARALLELISM)));
            for (Path jar : home.extraLibJars()) {
                secondRun.addAll(List.of("-C", jar.toUri().toString()));
            }
            secondRun.addAll(List.of("-c", "io.vlmtagger.jobs.TaggingJob", home.jobJar().toString(),
                    "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "--kafka.group-id", "vlm-tagger-2",
                    "--kafka.transactional-id-prefix", "vlm-tagger-2",
                    "--topic.input", "images-2",
                    "--topic.captions", "image-captions-2",
                    "--topic.dead-letters", "image-dead-letters-2",
                    "--topic.chat-answers", "chat-answers-2",
                    "--model.caption.checkpoint", TINY_BLIP2,
                    "--checkpoint.interval", "1 s",
                    "--search.backend", "none",
                    "--job.name", "vlm-tagger-cluster-second"));
            String second = cluster.submitDetached(secondRun.toArray(new String[0]));
            List<String> secondIds = new ArrayList<>();
            produce(kafka, "images-2", "second-", 0, SECOND_JOB_EVENTS, secondIds, new ArrayList<>());
            List<EnrichedImage> secondOut = readCommitted(kafka, "image-captions-2", EnrichedImage.class,
                    secondIds.size(), RESULTS, Duration.ofSeconds(1));
            assertThat(secondOut).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrderElementsOf(secondIds);
            assertThat(cluster.jobState(second)).isEqualTo("RUNNING");
            assertThat(tm2.countLogLines("Loaded model")).as("%s loaded the model for the second job", tm2)
                    .isEqualTo(tm2Loads + 1);
            assertThat(tm3.countLogLines("Loaded model")).as("%s loaded the model for the second job", tm3)
                    .isEqualTo(tm3Loads + 1);
            for (FlinkProcess tm : List.of(tm1, tm2, tm3)) {
                assertThat(tm.countLogLines("UnsatisfiedLinkError")).as("native library errors in %s", tm).isZero();
            }
        }
    }

    /** Polls {@code tm}'s Prometheus endpoint until its caption operators report at least one batch. */
    private static PrometheusScrape awaitCaptionBatches(StandaloneCluster cluster, int port, FlinkProcess tm)
            throws InterruptedException {
        URI metrics = URI.create("http://localhost:" + port + "/metrics");
        long deadline = System.nanoTime() + RESULTS.toNanos();
        PrometheusScrape scrape = PrometheusScrape.parse(cluster.get(metrics));
        while (scrape.sum(METRIC_PREFIX + "inference_batch_size_count", captionLabels()) < 1) {
            assertThat(System.nanoTime()).as("%s reports caption batches on %s", tm, metrics).isLessThan(deadline);
            Thread.sleep(500);
            scrape = PrometheusScrape.parse(cluster.get(metrics));
        }
        return scrape;
    }

    /** The job's inference metrics, each with the labels that say which operator and TaskManager. */
    private static void assertJobMetrics(PrometheusScrape scrape) {
        for (String metric : List.of("inference_batch_size_count", "inference_batch_latency_ms_count",
                "images_per_second", "dead_letters_preprocess", "dead_letters_inference")) {
            List<PrometheusScrape.Sample> samples = scrape.find(METRIC_PREFIX + metric, captionLabels());
            assertThat(samples).as("series %s%s", METRIC_PREFIX, metric).isNotEmpty();
            assertThat(samples).allSatisfy(s -> assertThat(s.labels())
                    .containsKeys("job_name", "tm_id", "subtask_index", "operator_id")
                    // Flink's reporter turns characters Prometheus does not allow in names into '_', in label values too
                    .containsEntry("job_name", "vlm_tagger_cluster"));
        }
        assertThat(scrape.find(METRIC_PREFIX + "inference_batch_latency_ms", captionLabels()))
                .as("batch latency quantiles").anySatisfy(s -> assertThat(s.labels()).containsKey("quantile"));
    }

    private static Map<String, String> captionLabels() {
        return Map.of("operator_name", CAPTION_OPERATOR);
    }

    /** The shipped shape scenes (the kind the tiny BLIP-2 was trained on), as PNG and (every third) as JPEG. */
    private void makeImages() throws IOException {
        for (LocalImages.LocalImage image : LocalImages.samples(work.resolve("images"), DISTINCT_IMAGES)) {
            byte[] png = Files.readAllBytes(image.file());
            images.add(images.size() % 3 == 2 ? jpeg(png) : png);
        }
    }

    private static byte[] jpeg(byte[] png) throws IOException {
        BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(png));
        BufferedImage rgb = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(decoded, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(rgb, "jpg", out)).isTrue();
        return out.toByteArray();
    }

    /** Events {@code from..to-1} through the project's producer; every 20th carries bytes that are no image. */
    private void produce(EmbeddedKafka kafka, String topic, String idPrefix, int from, int to,
                         List<String> goodIds, List<String> corruptIds) throws Exception {
        try (ImageEventProducer p = ImageEventProducer.builder()
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build()) {
            for (int i = from; i < to; i++) {
                boolean corrupt = i % CORRUPT_EVERY == 7;
                byte[] bytes = corrupt ? ("not an image " + i).getBytes(StandardCharsets.UTF_8)
                        : images.get(i % images.size());
                var event = p.eventForBytes(bytes, bytes.length > 2 && bytes[0] == (byte) 0xFF ? "image/jpeg" : "image/png");
                event.setEventId(idPrefix + i);
                (corrupt ? corruptIds : goodIds).add(event.getEventId());
                p.send(event).get();
            }
            p.flush();
        }
    }

    private static void produceUndecodable(EmbeddedKafka kafka, String topic) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < UNDECODABLE; i++) {
                producer.send(new ProducerRecord<>(topic, ("undecodable record " + i).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    /** Reads {@code topic} read_committed until {@code expected} records came, then {@code settle} longer. */
    private static <T extends SpecificRecord> List<T> readCommitted(EmbeddedKafka kafka, String topic, Class<T> type,
            int expected, Duration timeout, Duration settle) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic, true)) {
            reader.pollAtLeast(expected, timeout);
            for (ConsumerRecord<byte[], byte[]> r : reader.pollUntil(records -> false, settle)) {
                out.add(codec.decode(r.value()));
            }
        }
        return out;
    }
}
