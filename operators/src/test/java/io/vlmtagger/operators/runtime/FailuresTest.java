package io.vlmtagger.operators.runtime;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTest {

    @Test
    void decodeErrorsArePreprocessFailuresWithTheDecodersReasonAndAreNotRetried() {
        var e = new CompletionException(new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE, "9000x9000"));
        assertThat(Failures.phaseOf(e)).isEqualTo(InferenceException.Phase.PREPROCESS);
        assertThat(Failures.reasonOf(e)).isEqualTo("too_large");
        assertThat(Failures.isRetryable(e)).isFalse();
        assertThat(Failures.reasonOf(new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "x")))
                .isEqualTo("corrupt_image");
    }

    @Test
    void otherFailuresAreInferenceFailuresAndRetryable() {
        assertThat(Failures.reasonOf(new TimeoutException("slow"))).isEqualTo("timeout");
        assertThat(Failures.reasonOf(new BatcherFullException("full"))).isEqualTo("overloaded");
        assertThat(Failures.reasonOf(new RuntimeException("CUDA out of memory"))).isEqualTo("out_of_memory");
        assertThat(Failures.reasonOf(new IllegalStateException("NaN logits"))).isEqualTo("inference_failed");
        assertThat(Failures.phaseOf(new IllegalStateException())).isEqualTo(InferenceException.Phase.INFERENCE);
        assertThat(Failures.isRetryable(new TimeoutException())).isTrue();
    }

    @Test
    void aQuestionBeyondTheContextIsPromptTooLongAndNotRetried() {
        var e = new CompletionException(new io.vlmtagger.models.text.PromptTooLongException(5000, 1900));
        assertThat(Failures.reasonOf(e)).isEqualTo("prompt_too_long");
        assertThat(Failures.phaseOf(e)).isEqualTo(InferenceException.Phase.INFERENCE);
        assertThat(Failures.isRetryable(e)).isFalse();
    }

    @Test
    void anyRequestTheModelRefusesKeepsItsReasonAndIsNotRetried() {
        var refused = new InvalidRequestException("too_many_images", "at most 4 images per prompt");
        InferenceException e = Failures.classify(new CompletionException(refused), 1);
        assertThat(e.reason()).isEqualTo("too_many_images");
        assertThat(e.getCause()).isSameAs(refused);
        assertThat(Failures.isRetryable(refused)).isFalse();
        assertThat(Failures.classify(e, 3)).as("a classified failure stays as it is").isSameAs(e);
    }
}
