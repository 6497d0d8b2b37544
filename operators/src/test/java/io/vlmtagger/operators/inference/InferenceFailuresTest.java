package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.operators.batching.BatcherFullException;
import io.vlmtagger.operators.testutils.TestTasks;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceFailuresTest {

    @Test
    void decodeErrorsArePreprocessFailuresWithTheDecodersReasonAndAreNotRetried() {
        var e = new CompletionException(new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE, "9000x9000"));
        assertThat(InferenceFailures.stageOf(e)).isEqualTo(FailureStage.PREPROCESS);
        assertThat(InferenceFailures.reasonOf(e)).isEqualTo("too_large");
        assertThat(InferenceFailures.isRetryable(e)).isFalse();
        assertThat(InferenceFailures.reasonOf(new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "x")))
                .isEqualTo("corrupt_image");
    }

    @Test
    void otherFailuresAreInferenceFailuresAndRetryable() {
        assertThat(InferenceFailures.reasonOf(new TimeoutException("slow"))).isEqualTo("timeout");
        assertThat(InferenceFailures.reasonOf(new BatcherFullException("full"))).isEqualTo("overloaded");
        assertThat(InferenceFailures.reasonOf(new RuntimeException("CUDA out of memory"))).isEqualTo("out_of_memory");
        assertThat(InferenceFailures.reasonOf(new IllegalStateException("NaN logits"))).isEqualTo("inference_failed");
        assertThat(InferenceFailures.stageOf(new IllegalStateException())).isEqualTo(FailureStage.INFERENCE);
        assertThat(InferenceFailures.isRetryable(new TimeoutException())).isTrue();
    }

    @Test
    void aQuestionBeyondTheContextIsPromptTooLongAndNotRetried() {
        var e = new CompletionException(new io.vlmtagger.models.text.PromptTooLongException(5000, 1900));
        assertThat(InferenceFailures.reasonOf(e)).isEqualTo("prompt_too_long");
        assertThat(InferenceFailures.stageOf(e)).isEqualTo(FailureStage.INFERENCE);
        assertThat(InferenceFailures.isRetryable(e)).isFalse();
    }

    @Test
    void deadLetterCarriesTheTaskCoordinatesAndAttempts() {
        var task = TestTasks.caption("e9", "cat");
        Instant now = Instant.parse("2026-11-29T03:00:00Z");
        DeadLetter dl = InferenceFailures.deadLetter(task, new IllegalStateException("boom"), 3, now);
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
}
