package io.vlmtagger.jobs.local;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.schemas.FailureStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, minus Maven: the local runner with its own broker, MiniCluster,
 * Lucene index, the shipped sample images and the trained tiny BLIP-2 and LLaVA on DJL, on a few
 * images plus a two-turn conversation.
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

        assertThat(printed).contains(LocalCheckpoints.Kind.TRAINED_TINY.description());
        assertThat(printed).contains("summary", "shapes-000.png", "shapes-002.png",
                "dead letters: 1", "throughput:", "search index: 5 documents", "conversation", LocalRunner.QUESTIONS.get(1));
    }
}
