package io.vlmtagger.jobs.reliability;

import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.operators.testutils.FakeCaptioner;
import io.vlmtagger.operators.testutils.FakeImages;
import io.vlmtagger.operators.testutils.FakeModels;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover: the job runs with exactly-once checkpoints every 300 ms; after part of the input has
 * been committed, its TaskManager is killed mid-stream (every task fails, in-flight batches,
 * open Kafka transactions and the un-committed index writes are lost) and a fresh one is started;
 * the fixed-delay restart strategy restarts the job from its last checkpoint. Then every good input
 * appears exactly once in the read_committed output and once in the search index, every bad one
 * exactly once among the dead letters, and in = out + dead letters.
 */
class FailoverITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    /** Events produced through the project's producer; every 20th (from #7) is a corrupt image. */
    private static final int EVENTS = 240;
    private static final int CORRUPT = 12;
    private static final int GOOD = EVENTS - CORRUPT;
    private static final int UNDECODABLE = 8;

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
    void afterATaskManagerIsKilledMidStreamEveryInputComesOutExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restarts = new Configuration();
        restarts.setString("restart-strategy.type", "fixed-delay");
        restarts.setString("restart-strategy.fixed-delay.attempts", "5");
        restarts.setString("restart-strategy.fixed-delay.delay", "500 ms");
        env.configure(restarts);
        JobConfig config = harness.config("inference.max-batch-wait", "20 ms");
        TaggingJob.builder().setConfig(config)
                .setCaptionerProvider(FakeModels.captionerProvider(captionerId))
                .build()
                .addTo(env);
        JobClient job = env.executeAsync("failover-itcase");
        try {
            List<String> goodIds = new ArrayList<>();
            List<String> corruptIds = new ArrayList<>();
            produce(0, EVENTS / 2, goodIds, corruptIds);

            // part of the output is committed: the job has checkpointed at least once
            List<EnrichedImage> before = harness.readCommitted("image-captions", EnrichedImage.class, GOOD / 4,
                    Duration.ofSeconds(60), Duration.ZERO);
            assertThat(before.size()).isGreaterThanOrEqualTo(GOOD / 4);
            int opensBefore = captioner.devices().size();

            // kill: the only TaskManager goes, with every running task; then a fresh one joins
            cluster.terminateTaskManager(0).get();
            produce(EVENTS / 2, EVENTS, goodIds, corruptIds);
            cluster.startTaskManager();
            harness.produceRaw(undecodable());

            int total = EVENTS + UNDECODABLE;
            List<EnrichedImage> out = harness.readCommitted("image-captions", EnrichedImage.class, GOOD,
                    Duration.ofSeconds(90), Duration.ofSeconds(3));
            List<DeadLetter> dls = harness.readCommitted("image-dead-letters", DeadLetter.class, CORRUPT + UNDECODABLE,
                    Duration.ofSeconds(30), Duration.ofSeconds(1));

            assertThat(captioner.devices().size()).as("models were acquired again after the restart")
                    .isGreaterThan(opensBefore);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            Map<String, Long> outCounts = out.stream()
                    .collect(Collectors.groupingBy(EnrichedImage::getEventId, Collectors.counting()));
            assertThat(outCounts.keySet()).containsExactlyInAnyOrderElementsOf(goodIds);
            assertThat(outCounts.values()).as("no duplicates in the read_committed output").containsOnly(1L);

            assertThat(dls).hasSize(CORRUPT + UNDECODABLE);
            List<String> dlIds = dls.stream().filter(d -> d.getStage() == FailureStage.PREPROCESS)
                    .map(DeadLetter::getEventId).toList();
            assertThat(dlIds).containsExactlyInAnyOrderElementsOf(corruptIds);
            assertThat(dls).filteredOn(d -> d.getStage() == FailureStage.DECODE).hasSize(UNDECODABLE);
            Set<String> undecodable = dls.stream().filter(d -> d.getStage() == FailureStage.DECODE)
                    .map(d -> StandardCharsets.UTF_8.decode(d.getOriginalBytes().duplicate()).toString())
                    .collect(Collectors.toSet());
            assertThat(undecodable).hasSize(UNDECODABLE);

            assertThat(out.size() + dls.size()).as("in = out + dead letters").isEqualTo(total);

            int indexed = harness.awaitIndexCount(GOOD, Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertThat(indexed).as("each input once in the search index").isEqualTo(GOOD);
            System.out.printf("failover: in %d, out %d, dead letters %d, indexed %d, model opens %d -> %d%n",
                    total, out.size(), dls.size(), indexed, opensBefore, captioner.devices().size());
        } finally {
            job.cancel().get();
        }
    }

    private void produce(int from, int to, List<String> goodIds, List<String> corruptIds) throws Exception {
        Function<Integer, Boolean> corrupt = i -> i % (EVENTS / CORRUPT) == 7;
        harness.produce(b -> b.optEventIds(() -> "unused"), p -> {
            for (int i = from; i < to; i++) {
                boolean bad = corrupt.apply(i);
                var e = p.eventForBytes(FakeImages.image((bad ? "corrupt " : "shape ") + i), "image/png");
                e.setEventId("ev-" + i);
                (bad ? corruptIds : goodIds).add(e.getEventId());
                p.send(e).get();
            }
        });
    }

    private static List<byte[]> undecodable() {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < UNDECODABLE; i++) {
            values.add(("garbage record " + i).getBytes(StandardCharsets.UTF_8));
        }
        return values;
    }
}
