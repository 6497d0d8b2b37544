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
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
 * Lucene index, the shipped sample images and the trained tiny BLIP-2, LLaVA and IDEFICS on DJL,
 * on a few images plus a two-turn conversation and the few-shot demo (exemplars replaced mid-run).
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
        // the malformed record; a few-shot probe may also come back dead-lettered when it reached the job
        // before the exemplars (broadcast state and events are not ordered): the runner then probes again
        List<io.vlmtagger.schemas.DeadLetter> deadLetters = report.deadLetters().stream()
                .filter(d -> d.getEventId() == null || !d.getEventId().startsWith("fewshot-probe-")).toList();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).getStage()).isEqualTo(FailureStage.DECODE);
        assertThat(report.deadLetters()).allSatisfy(d -> assertThat(d.getReason()).isIn("unknown_schema", "few_shot_no_exemplars"));
        assertThat(report.answers()).extracting(a -> a.getTurn()).containsExactly(1, 2);
        assertThat(report.answers()).extracting(a -> a.getConversationId()).containsOnly(LocalRunner.CONVERSATION);
        assertThat(report.answers()).extracting(a -> a.getQuestion()).containsExactlyElementsOf(LocalRunner.QUESTIONS);
        // 3 captioned images + 2 answered questions + the few-shot tagged events
        assertThat(report.indexedDocuments()).isEqualTo(5 + report.fewShot().results().size());
        assertThat(report.imagesPerSecond()).isPositive();
        assertThat(report.latencyMs()).containsKeys("p50", "p90", "p99", "max");

        assertThat(printed).contains(LocalCheckpoints.Kind.TRAINED_TINY.description());

        // few-shot: the shipped IDEFICS tags the queries with the labels of the exemplars it was given,
        // then, after the replacement, with the new ones (labels it never saw in training)
        LocalFewShot.Report fewShot = report.fewShot();
        assertThat(fewShot).isNotNull();
        List<LocalFewShot.Tagged> first = round(fewShot, "fewshot-1-");
        List<LocalFewShot.Tagged> second = round(fewShot, "fewshot-2-");
        assertThat(first).hasSize(6);
        assertThat(second).hasSize(6);
        assertThat(first.stream().filter(t -> labelsOf(fewShot.before()).containsAll(t.tags()) && t.tags().size() == 1))
                .as("round 1 answers with the first exemplars' labels: %s", first).hasSizeGreaterThanOrEqualTo(5);
        assertThat(second.stream().filter(t -> labelsOf(fewShot.after()).containsAll(t.tags()) && t.tags().size() == 1))
                .as("round 2 answers with the replacement's labels: %s", second).hasSizeGreaterThanOrEqualTo(5);
        assertThat(printed).contains("few-shot tags", "fewshot-2-06", "round 2, after replacing them mid-run");
        assertThat(printed).contains("summary", "shapes-000.png", "shapes-002.png",
                "dead letters: " + report.deadLetters().size(), "throughput:", "search index: " + report.indexedDocuments() + " documents", "conversation", LocalRunner.QUESTIONS.get(1));
    }

    private static List<LocalFewShot.Tagged> round(LocalFewShot.Report report, String prefix) {
        return report.results().stream().filter(t -> t.eventId().startsWith(prefix)).toList();
    }

    private static Set<String> labelsOf(List<LocalFewShot.Sample> set) {
        return set.stream().map(LocalFewShot.Sample::tag).collect(Collectors.toSet());
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
