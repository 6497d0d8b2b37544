package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeImages;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on a MiniCluster against a real in-process Kafka broker: N events in, k of them
 * bad in different ways; exactly N-k enriched records come out (read_committed), k dead letters
 * with the right stage, and N-k documents in the Lucene index.
 */
class TaggingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    @TempDir
    Path tmp;

    private PipelineHarness harness;
    private FakeCaptioner captioner;
    private String captionerId;

    @BeforeEach
    void setUp() {
        harness = new PipelineHarness(tmp);
        captioner = new FakeCaptioner();
        captionerId = FakeModels.register(captioner);
    }

    @AfterEach
    void tearDown() {
        FakeModels.unregister(captionerId);
        harness.close();
    }

    @Test
    void goodEventsAreEnrichedOnceAndBadOnesAreDeadLettered() throws Exception {
        int good = 20;
        Path allowedRoot = Files.createDirectories(tmp.resolve("images"));
        Path onDisk = Files.write(allowedRoot.resolve("disk-image.png"), FakeImages.image("disk image"));
        Path outside = Files.write(tmp.resolve("secret.png"), FakeImages.image("secret"));

        JobConfig config = harness.config("fetch.allowed-roots", allowedRoot.toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TaggingJob.builder().setConfig(config)
                .setCaptionerProvider(FakeModels.captionerProvider(captionerId))
                .build()
                .addTo(env);
        long t0 = System.nanoTime();
        JobClient job = env.executeAsync("tagging-job-itcase");
        try {
            AtomicInteger ids = new AtomicInteger();
            List<String> goodIds = new ArrayList<>();
            harness.produce(b -> b.optEventIds(() -> "ev-" + ids.getAndIncrement()), p -> {
                for (int i = 0; i < good - 1; i++) {
                    var e = p.eventForBytes(FakeImages.image("shape " + i), "image/png");
                    goodIds.add(e.getEventId());
                    p.send(e).get();
                }
                var fromDisk = p.eventForUri(onDisk.toUri(), null);
                goodIds.add(fromDisk.getEventId());
                p.send(fromDisk).get();
                // FETCH: outside the allowed roots
                p.send(p.eventForUri(outside.toUri(), null)).get();
                // PREPROCESS: bytes that are not an image
                p.send(p.eventForBytes(FakeImages.image("corrupt bytes"), "image/png")).get();
                // INFERENCE: few-shot tags asked of a job that has no few-shot model
                var fewShot = p.eventForBytes(FakeImages.image("few-shot"), "image/png");
                fewShot.setTasks(List.of(TaskType.FEW_SHOT_TAGS));
                p.send(fewShot).get();
            });
            // DECODE: not an ImageEvent at all (two of them)
            harness.produceRaw(List.of("not avro".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x01, 7}));
            int bad = 5;
            int total = good + bad;

            List<EnrichedImage> enriched = harness.readCommitted("image-captions", EnrichedImage.class, good,
                    Duration.ofSeconds(60), Duration.ofSeconds(2));
            System.out.printf("enriched records after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            List<DeadLetter> deadLetters = harness.readCommitted("image-dead-letters", DeadLetter.class, bad,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));

            assertThat(enriched).hasSize(total - bad);
            assertThat(enriched).extracting(EnrichedImage::getEventId).containsExactlyInAnyOrderElementsOf(goodIds);
            Map<String, EnrichedImage> byId = enriched.stream()
                    .collect(Collectors.toMap(EnrichedImage::getEventId, e -> e));
            assertThat(byId.get(goodIds.get(3)).getCaption()).isEqualTo("a photo of shape 3");
            assertThat(byId.get(goodIds.get(3)).getTags()).contains("shape");
            assertThat(byId.get(goodIds.get(good - 1)).getImageRef()).isEqualTo(onDisk.toUri().toString());
            assertThat(byId.get(goodIds.get(0)).getModels()).isNotEmpty();

            assertThat(deadLetters).hasSize(bad);
            Map<FailureStage, Long> stages = deadLetters.stream()
                    .collect(Collectors.groupingBy(DeadLetter::getStage, HashMap::new, Collectors.counting()));
            assertThat(stages).containsEntry(FailureStage.DECODE, 2L)
                    .containsEntry(FailureStage.FETCH, 1L)
                    .containsEntry(FailureStage.PREPROCESS, 1L)
                    .containsEntry(FailureStage.INFERENCE, 1L);
            assertThat(deadLetters).filteredOn(d -> d.getStage() == FailureStage.INFERENCE)
                    .extracting(DeadLetter::getReason).containsExactly("few_shot_disabled");
            assertThat(deadLetters).filteredOn(d -> d.getStage() == FailureStage.DECODE)
                    .allSatisfy(d -> assertThat(d.getTopic()).isEqualTo("images"));

            assertThat(harness.awaitIndexCount(good, Duration.ofSeconds(20), Duration.ofMillis(500))).isEqualTo(good);
        } finally {
            job.cancel().get();
        }
    }
}
