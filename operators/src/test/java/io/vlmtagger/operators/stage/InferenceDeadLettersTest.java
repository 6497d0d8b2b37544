package io.vlmtagger.operators.stage;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.operators.runtime.InferenceException;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceDeadLettersTest {

    @Test
    void deadLetterCarriesTheTaskCoordinatesAndAttempts() {
        var task = TestTasks.caption("e9", "cat");
        Instant now = Instant.parse("2026-11-29T03:00:00Z");
        DeadLetter dl = InferenceDeadLetters.deadLetter(task, new IllegalStateException("boom"), 3, now);
        assertThat(dl.getEventId()).isEqualTo("e9");
        assertThat(dl.getTopic()).isEqualTo("images");
        assertThat(dl.getOffset()).isEqualTo(task.offset);
        assertThat(dl.getStage()).isEqualTo(FailureStage.INFERENCE);
        assertThat(dl.getReason()).isEqualTo("inference_failed");
        assertThat(dl.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(dl.getErrorMessage()).contains("boom");
        assertThat(dl.getAttempts()).isEqualTo(3);
        assertThat(dl.getFailedAt()).isEqualTo(now);
    }

    @Test
    void theRuntimesPhaseBecomesTheStageAndItsReasonAndAttemptsAreKept() {
        var task = TestTasks.caption("e7", "cat");
        Instant now = Instant.parse("2026-11-29T03:00:00Z");
        DeadLetter corrupt = InferenceDeadLetters.deadLetter(task, new java.util.concurrent.CompletionException(
                new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "not a png")), 1, now);
        assertThat(corrupt.getStage()).isEqualTo(FailureStage.PREPROCESS);
        assertThat(corrupt.getReason()).isEqualTo("corrupt_image");
        assertThat(corrupt.getErrorClass()).isEqualTo(ImageDecodeException.class.getName());

        var gaveUp = new InferenceException(InferenceException.Phase.INFERENCE, "timeout", 2,
                new java.util.concurrent.TimeoutException("no caption within 5000 ms"));
        DeadLetter late = InferenceDeadLetters.deadLetter(task, gaveUp, 1, now);
        assertThat(late.getReason()).isEqualTo("timeout");
        assertThat(late.getAttempts()).as("the runtime's count wins").isEqualTo(2);
        assertThat(late.getErrorMessage()).contains("within 5000 ms");
    }
}
