package io.vlmtagger.jobs.local;

import io.vlmtagger.jobs.CheckpointModels;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.testutil.PhotoFiles;
import io.vlmtagger.models.testutil.PhotoFiles.Kind;
import io.vlmtagger.operators.runtime.ModelSpec;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, minus Maven: the local runner with its own broker, MiniCluster,
 * Lucene index, generated images and the placeholder BLIP-2 and LLaVA on DJL (real model code,
 * untrained weights), on a few images plus a two-turn conversation.
 */
class LocalRunnerITCase {

    @TempDir
    Path tmp;

    @Test
    void runsEverythingInProcessAndPrintsTheSummary() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        JobConfig config = JobConfig.fromArgs(new String[] {
                "--local.work-dir", tmp.toString(), "--local.image-count", "3", "--local.timeout", "3 min"},
                JobConfig.LOCAL_ALIASES);

        RunReport report = LocalRunner.withCheckpoints(config, out).run();
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.complete()).isTrue();
        assertThat(report.captioned()).hasSize(3);
        assertThat(report.captioned()).allSatisfy(e -> assertThat(e.getModels()).isNotEmpty());
        assertThat(report.deadLetters()).hasSize(1);
        assertThat(report.deadLetters().get(0).getStage()).isEqualTo(FailureStage.DECODE);
        assertThat(report.answers()).extracting(a -> a.getTurn()).containsExactly(1, 2);
        assertThat(report.answers()).extracting(a -> a.getConversationId()).containsOnly(LocalRunner.CONVERSATION);
        assertThat(report.answers()).extracting(a -> a.getQuestion()).containsExactlyElementsOf(LocalRunner.QUESTIONS);
        // 3 captioned images + 2 answered questions
        assertThat(report.indexedDocuments()).isEqualTo(5);
        assertThat(report.imagesPerSecond()).isPositive();
        assertThat(report.latencyMs()).containsKeys("p50", "p90", "p99", "max");

        // placeholders unless the models jar ships trained tiny checkpoints; either way the run says which
        assertThat(printed.contains("PLACEHOLDER")).isEqualTo(report.placeholder());
        assertThat(printed).contains("summary", "shapes-000.png", "shapes-002.png",
                "dead letters: 1", "throughput:", "search index: 5 documents", "conversation", LocalRunner.QUESTIONS.get(1));
    }

    @Test
    void aFolderOfPhotosInEveryFormatEndsWithEveryFileCaptionedOrDeadLettered() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        List<String> readable = new ArrayList<>();
        int i = 0;
        for (Kind kind : Kind.values()) {
            boolean big = kind == Kind.JPEG; // one phone-sized photo, sent as a file:// reference
            String name = String.format(Locale.ROOT, "%02d-%s.%s", i, kind.name().toLowerCase(Locale.ROOT), kind.extension());
            Files.write(photos.resolve(name), PhotoFiles.encode(kind, PhotoFiles.photo(big ? 4000 : 640, big ? 3000 : 480, i++, 20)));
            if (kind.readable()) {
                readable.add(name);
            }
        }
        Files.writeString(photos.resolve("notes.txt"), "not a photo");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        JobConfig config = JobConfig.fromArgs(new String[] {"--images", photos.toString(),
                "--local.work-dir", tmp.resolve("work").toString(), "--local.ask-questions", "false",
                "--local.malformed-events", "0", "--local.timeout", "5 min"}, JobConfig.LOCAL_ALIASES);

        RunReport report = LocalRunner.withCheckpoints(config, new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.complete()).isTrue();
        assertThat(report.jobFailure()).isEmpty();
        Map<String, String> fileOf = report.images().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().name()));
        assertThat(report.captioned()).extracting(EnrichedImage::getEventId).extracting(fileOf::get)
                .containsExactlyInAnyOrderElementsOf(readable);
        Map<String, DeadLetter> dead = report.deadLetters().stream()
                .collect(Collectors.toMap(d -> fileOf.get(d.getEventId()), d -> d));
        assertThat(dead).containsOnlyKeys("11-heic.heic", "12-avif.avif", "notes.txt");
        assertThat(dead.values()).allSatisfy(d -> {
            assertThat(d.getStage()).isEqualTo(FailureStage.PREPROCESS);
            assertThat(d.getReason()).isEqualTo("unsupported_format");
        });
        assertThat(dead.get("11-heic.heic").getErrorMessage()).contains("HEIC");
        assertThat(dead.get("12-avif.avif").getErrorMessage()).contains("AVIF");
        assertThat(printed).contains("14 files from", "dead letters: 3", "11-heic.heic", "notes.txt", "00-jpeg.jpg",
                "05-tiff_lzw.tif", "04-webp_lossless.webp", "checkpoints in file:");
        assertThat(tmp.resolve("work").resolve(LocalRunner.FLINK_CHECKPOINTS)).isDirectory();
    }

    @Test
    void aJobThatFailsIsReportedWithItsCause() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        JobConfig config = JobConfig.fromArgs(new String[] {"--local.work-dir", tmp.toString(), "--local.image-count", "2",
                "--local.ask-questions", "false", "--local.timeout", "3 min"}, JobConfig.LOCAL_ALIASES);

        RunReport report = new LocalRunner(config, new PrintStream(buffer, true, StandardCharsets.UTF_8),
                r -> LocalRunnerITCase::unloadable, r -> CheckpointModels.chatModels()).run();
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.complete()).isFalse();
        assertThat(report.jobFailure()).isNotEmpty();
        assertThat(report.jobFailure().get(0)).doesNotContain("Recovery is suppressed").doesNotContain("Job execution failed");
        assertThat(String.join("\n", report.jobFailure())).contains("the weights of this test model are missing");
        assertThat(printed).contains("the job failed: ", "JOB FAILED: ").doesNotContain("MiniCluster is not yet running");
    }

    private static ImageCaptioner unloadable(ModelSpec spec, String device) {
        throw new IllegalStateException("the weights of this test model are missing");
    }
}
