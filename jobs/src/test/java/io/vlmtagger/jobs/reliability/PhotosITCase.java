package io.vlmtagger.jobs.reliability;

import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.testutils.PipelineHarness;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.testutil.PhotoFiles;
import io.vlmtagger.models.testutil.PhotoFiles.Kind;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import io.vlmtagger.schemas.TaskType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real photos through the real job with filesystem checkpoints: generated multi-MB pictures in
 * every format users send (a 4000x3000 JPEG of 6 MB, PNG, GIF, BMP, lossless WebP, TIFF with LZW,
 * Deflate and JPEG compression, 16-bit, multi-page and CMYK) plus a HEIC and an AVIF, sent as
 * {@code file://} references the way the producer sends large files, fetched, and decoded by the
 * models module's real {@code ImageDecoder}.
 *
 * <p>The captioner holds every photo until a checkpoint has been taken with the photos in flight:
 * that checkpoint's operator state (the encoded images) is far over the 5 MB the JobManager's
 * memory storage allows, which is how the local run used to fail. With {@code checkpoint.dir} it
 * completes, and then every photo is captioned once with its true size and the two unreadable
 * ones are dead-lettered naming their format.
 */
class PhotosITCase {
    /** JobManager memory storage's limit per state handle (Flink's default). */
    private static final long MEMORY_STORAGE_LIMIT = 5L * 1024 * 1024;
    /** Released once a big enough checkpoint is on disk; the captioner waits for it. */
    private static volatile CountDownLatch gate = new CountDownLatch(0);

    @TempDir
    Path tmp;

    private PipelineHarness harness;

    @AfterEach
    void tearDown() {
        gate.countDown();
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void multiMegabytePhotosInEveryFormatAreCaptionedWhileFilesystemCheckpointsHoldThemInFlight() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Map<String, String> expected = writePhotos(photos);
        Path checkpoints = tmp.resolve("checkpoints");
        harness = new PipelineHarness(tmp);
        JobConfig config = harness.config(
                "fetch.allowed-roots", photos.toString(),
                "checkpoint.dir", checkpoints.toUri().toString(),
                "checkpoint.interval", "500 ms",
                "inference.timeout", "3 min");
        gate = new CountDownLatch(1);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TaggingJob.builder().setConfig(config).setCaptionerProvider(GatedCaptioner::open).build().addTo(env);
        JobClient job = env.executeAsync("photos");
        try {
            harness.produce(b -> b.optTasks(List.of(TaskType.CAPTION)), p -> {
                for (String name : expected.keySet()) {
                    var event = p.eventForFile(photos.resolve(name));
                    event.setEventId(name);
                    p.send(event).get(30, TimeUnit.SECONDS);
                }
            });

            long biggest = awaitStateFileOver(checkpoints, MEMORY_STORAGE_LIMIT, Duration.ofMinutes(3));
            System.out.printf(Locale.ROOT, "PhotosITCase: largest state file of a completed checkpoint with the photos in"
                    + " flight: %.1f MB%n", biggest / 1e6);
            gate.countDown();

            long readable = expected.values().stream().filter(v -> !v.startsWith("PREPROCESS/")).count();
            List<EnrichedImage> out = harness.readCommitted("image-captions", EnrichedImage.class, (int) readable,
                    Duration.ofMinutes(3), Duration.ofSeconds(2));
            List<DeadLetter> dls = harness.readCommitted("image-dead-letters", DeadLetter.class,
                    expected.size() - (int) readable, Duration.ofSeconds(60), Duration.ofSeconds(1));

            Map<String, String> got = new LinkedHashMap<>();
            out.forEach(e -> got.merge(e.getEventId(), e.getCaption(), (a, b) -> a + " AND AGAIN " + b));
            for (DeadLetter d : dls) {
                assertThat(d.getStage()).isEqualTo(FailureStage.PREPROCESS);
                got.merge(d.getEventId(), d.getStage() + "/" + d.getReason() + ": " + d.getErrorMessage(),
                        (a, b) -> a + " AND AGAIN " + b);
            }
            assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertThat(got.get(e.getKey())).as(e.getKey()).startsWith(e.getValue());
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** Writes the photos; returns file name -> expected caption or dead-letter prefix. */
    private static Map<String, String> writePhotos(Path dir) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        Object[][] plan = {
            {Kind.JPEG, 4000, 3000, 30}, {Kind.PNG, 1600, 1200, 10}, {Kind.GIF, 1600, 1200, 10}, {Kind.BMP, 1600, 1200, 10},
            {Kind.WEBP_LOSSLESS, 1600, 1200, 10}, {Kind.TIFF_LZW, 1600, 1200, 10}, {Kind.TIFF_DEFLATE, 1600, 1200, 10},
            {Kind.TIFF_JPEG, 2400, 1800, 10}, {Kind.TIFF_16BIT, 1200, 900, 10}, {Kind.TIFF_MULTIPAGE, 1600, 1200, 10},
            {Kind.TIFF_CMYK, 1400, 1000, 10}, {Kind.HEIC, 4000, 3000, 0}, {Kind.AVIF, 4000, 3000, 0}};
        for (int i = 0; i < plan.length; i++) {
            Kind kind = (Kind) plan[i][0];
            int w = (int) plan[i][1];
            int h = (int) plan[i][2];
            String name = String.format(Locale.ROOT, "photo-%02d-%s.%s", i, kind.name().toLowerCase(Locale.ROOT), kind.extension());
            Files.write(dir.resolve(name), PhotoFiles.encode(kind, PhotoFiles.photo(w, h, i, (int) plan[i][3])));
            expected.put(name, kind.readable() ? "a photo of a " + w + "x" + h + " image"
                    : "PREPROCESS/unsupported_format: " + kind.name());
        }
        return expected;
    }

    /** Polls until a completed checkpoint ({@code chk-N/_metadata}) holds a state file over {@code bytes}. */
    private static long awaitStateFileOver(Path checkpoints, long bytes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long biggest = 0;
        while (System.nanoTime() < deadline) {
            biggest = Math.max(biggest, largestCompletedStateFile(checkpoints));
            if (biggest > bytes) {
                return biggest;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no completed checkpoint under " + checkpoints + " held a state file over " + bytes
                + " bytes within " + timeout + " (largest: " + biggest + ")");
    }

    private static long largestCompletedStateFile(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(checkpoints)) {
            List<Path> completed = walk.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent).collect(Collectors.toList());
            long max = 0;
            for (Path chk : completed) {
                try (Stream<Path> files = Files.list(chk)) {
                    max = Math.max(max, files.mapToLong(PhotosITCase::sizeOrZero).max().orElse(0));
                }
            }
            return max;
        } catch (IOException | UncheckedIOException e) {
            return 0; // a checkpoint was being written or subsumed while we looked: look again
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@link DecodingCaptioner} whose generation waits for the test's {@link #gate}. */
    static final class GatedCaptioner extends DecodingCaptioner {
        static ImageCaptioner open(ModelSpec spec, String device) {
            return new GatedCaptioner();
        }

        @Override
        public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
            boolean open;
            try {
                open = gate.await(3, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                open = false;
            }
            if (!open) {
                throw new IllegalStateException("the test never opened the gate");
            }
            return super.caption(requests, options);
        }
    }
}
