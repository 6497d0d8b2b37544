package io.vlmtagger.jobs.reliability;

import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, item 2: real photos must not blow up the heap or the checkpoints. Fifty generated
 * 4000x3000 JPEGs of 4-8 MB each (by file:// reference, as the producer sends large images) go
 * through the real job on a MiniCluster with a real broker and filesystem checkpoints every 500
 * ms; the captioner decodes every photo for real ({@link DecodingCaptioner}). With byte budgets of
 * 24 MB for the fetch and for the caption subtask, every photo is captioned, no checkpoint holds
 * more state than the two budgets, neither stage ever held more than its budget, and the heap
 * kept after a full GC grows by less than the budgets plus what decoding two photos at once needs.
 * Without the budget the caption stage alone would hold up to {@code inference.capacity} (16) of
 * them, about 100 MB, in its heap and in every checkpoint. Figures: docs/reliability.md.
 */
class InFlightBytesITCase {
    private static final int PHOTOS = 50;
    private static final long BUDGET = MemorySize.parse("24mb").getBytes();
    /** What decoding one 12 MP JPEG holds at once: the file, the decoded raster, the RGB copy (~110 MB). */
    private static final long DECODE_WORKING_SET = 3L * NoisePhotos.WIDTH * NoisePhotos.HEIGHT * 3;

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineHarness.miniCluster();

    @TempDir
    Path tmp;

    private PipelineHarness harness;

    @BeforeEach
    void setUp() {
        harness = new PipelineHarness(tmp);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void multiMegabytePhotosStayWithinTheByteBudgetsAndAreAllCaptioned() throws Exception {
        Path photos = tmp.resolve("photos");
        List<Path> files = NoisePhotos.write(photos, PHOTOS, 10);
        long totalBytes = 0;
        for (Path f : files) {
            long size = Files.size(f);
            assertThat(size).as("%s is a 4-8 MB photo", f).isBetween(4_000_000L, 8_000_000L);
            totalBytes += size;
        }
        Path checkpoints = tmp.resolve("checkpoints");
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JobConfig config = harness.config(
                "fetch.allowed-roots", photos.toString(),
                "fetch.max-in-flight-bytes", "24mb",
                "inference.max-in-flight-bytes", "24mb",
                "job.parallelism", "1",
                "checkpoint.interval", "500 ms",
                "inference.max-batch-size", "4",
                "inference.capacity", "16",
                "inference.timeout", "2 min",
                "inference.max-batch-wait", "20 ms",
                "search.backend", "none");
        TaggingJob.builder().setConfig(config).setCaptionerProvider(DecodingCaptioner.provider()).build().addTo(env);

        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration());
        long baseline = retainedHeap();
        assertThat(baseline).as("a full GC ran for the baseline").isPositive();
        HeapSampler heap = new HeapSampler();
        JobClient job = env.executeAsync("in-flight-bytes-itcase");
        heap.start();
        try {
            harness.produce(b -> { }, p -> {
                for (Path f : files) {
                    p.send(p.eventForFile(f)).get();
                }
            });
            List<EnrichedImage> captions = harness.readCommitted("image-captions", EnrichedImage.class, PHOTOS,
                    Duration.ofMinutes(6), Duration.ofSeconds(1));
            List<DeadLetter> dead = harness.readCommitted("image-dead-letters", DeadLetter.class, 0,
                    Duration.ofSeconds(1), Duration.ofSeconds(3));

            assertThat(dead).as("nothing dead-lettered: a full budget is backpressure").isEmpty();
            assertThat(captions).hasSize(PHOTOS);
            assertThat(captions).allSatisfy(c -> assertThat(c.getCaption())
                    .isEqualTo("a photo of a " + NoisePhotos.WIDTH + "x" + NoisePhotos.HEIGHT + " image"));
            assertThat(captions).extracting(EnrichedImage::getEventId).doesNotHaveDuplicates();

            long[] checkpointStats = rest.completedCheckpointsAndMaxStateSize(job.getJobID());
            Map<String, Long> peaks = rest.operatorMetrics(job.getJobID(), "in_flight_bytes_peak");
            heap.stop();
            long heapGrowth = heap.peak() - baseline;
            System.out.printf("in-flight bytes: %d photos, %.1f MB in all; checkpoints completed %d, largest state"
                            + " %.1f MB (budgets 2 x %.0f MB); stage peaks %s; heap kept after GC: baseline %.0f MB,"
                            + " peak %.0f MB (+%.0f MB)%n",
                    PHOTOS, totalBytes / 1e6, checkpointStats[0], checkpointStats[1] / 1e6, BUDGET / 1e6, peaks,
                    baseline / 1e6, heap.peak() / 1e6, heapGrowth / 1e6);

            assertThat(checkpointStats[0]).as("completed checkpoints").isGreaterThanOrEqualTo(2);
            assertThat(checkpointStats[1]).as("largest checkpoint, all operators")
                    .isLessThanOrEqualTo(2 * BUDGET + 2 * 1024 * 1024);
            try (Stream<Path> dirs = Files.list(checkpoints.resolve(job.getJobID().toString()))) {
                assertThat(dirs.map(d -> d.getFileName().toString())).as("filesystem checkpoints")
                        .anyMatch(n -> n.startsWith("chk-"));
            }
            assertThat(peaks.keySet()).anyMatch(id -> id.contains("fetch")).anyMatch(id -> id.contains("caption"));
            assertThat(peaks.values()).as("no stage ever held more than its budget").allSatisfy(v -> assertThat(v)
                    .isPositive().isLessThanOrEqualTo(BUDGET));
            assertThat(heapGrowth).as("heap kept after a full GC, over the baseline")
                    .isLessThan(2 * BUDGET + 2 * DECODE_WORKING_SET + 64L * 1024 * 1024);
        } finally {
            heap.stop();
            job.cancel().get();
        }
    }

    /**
     * The heap kept by the last full GC, as the collector measured it right after collecting (the
     * pools' collection usage), or -1 when the requested full GC did not run: a thread inside a
     * JNI critical region (the JPEG decoder) makes the JVM skip {@code System.gc()}, and reading
     * the heap's current usage then would count garbage.
     */
    private static long retainedHeap() {
        long before = fullCollections();
        System.gc();
        if (fullCollections() == before) {
            return -1;
        }
        long kept = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                kept += pool.getCollectionUsage().getUsed();
            }
        }
        return kept;
    }

    private static long fullCollections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("MarkSweep") || gc.getName().contains("Old")) {
                n += gc.getCollectionCount();
            }
        }
        return n;
    }

    /** The heap kept by full GCs, requested once a second (the MiniCluster runs in this JVM). */
    private static final class HeapSampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                long now = retainedHeap();
                if (now >= 0) {
                    peak.accumulateAndGet(now, Math::max);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join();
        }

        long peak() {
            return peak.get();
        }
    }
}
