package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.text.PromptTooLongException;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns an inference failure into a {@link DeadLetter}: the stage ({@code PREPROCESS} for image
 * decode errors, {@code INFERENCE} otherwise) and a stable reason ({@code corrupt_image}, {@code
 * too_large}, {@code timeout}, {@code prompt_too_long}, ...).
 */
public final class InferenceFailures {
    /** Reason for a request that ran out of attempts by timing out. */
    public static final String REASON_TIMEOUT = "timeout";
    /** Reason for a request whose model call kept failing. */
    public static final String REASON_INFERENCE_FAILED = "inference_failed";
    /** Reason for a request whose batch ran out of memory even alone. */
    public static final String REASON_OUT_OF_MEMORY = "out_of_memory";
    /** Reason for a request refused because the batcher was full on every attempt. */
    public static final String REASON_OVERLOADED = "overloaded";
    /** Reason for a chat question that does not fit the model's context even without history. */
    public static final String REASON_PROMPT_TOO_LONG = "prompt_too_long";

    private InferenceFailures() {}

    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Decode errors and over-long prompts are deterministic: retrying them only wastes attempts. */
    public static boolean isRetryable(Throwable failure) {
        Throwable c = unwrap(failure);
        return !(c instanceof ImageDecodeException || c instanceof PromptTooLongException);
    }

    public static FailureStage stageOf(Throwable failure) {
        return unwrap(failure) instanceof ImageDecodeException ? FailureStage.PREPROCESS : FailureStage.INFERENCE;
    }

    public static String reasonOf(Throwable failure) {
        Throwable c = unwrap(failure);
        if (c instanceof ImageDecodeException d) {
            return switch (d.reason()) {
                case EMPTY -> "empty_image";
                case UNSUPPORTED_FORMAT -> "unsupported_format";
                case CORRUPT -> "corrupt_image";
                case TOO_LARGE -> "too_large";
            };
        }
        if (c instanceof PromptTooLongException) {
            return REASON_PROMPT_TOO_LONG;
        }
        if (c instanceof TimeoutException) {
            return REASON_TIMEOUT;
        }
        if (c instanceof java.util.concurrent.RejectedExecutionException) {
            return REASON_OVERLOADED;
        }
        if (io.vlmtagger.operators.batching.OutOfMemoryDetector.isOutOfMemory(c)) {
            return REASON_OUT_OF_MEMORY;
        }
        return REASON_INFERENCE_FAILED;
    }

    /** A dead letter for {@code failure}, stage and reason derived from it (see {@link #stageOf}, {@link #reasonOf}). */
    public static DeadLetter deadLetter(ImageTask task, Throwable failure, int attempts, Instant now) {
        Throwable c = unwrap(failure);
        return deadLetter(task, stageOf(c), reasonOf(c), c, null, attempts, now);
    }

    /**
     * A dead letter built by the job-wide {@link DeadLetters} builder (carries the event's Avro
     * bytes for replay, redacts messages); {@code error} and {@code message} may each be null.
     */
    public static DeadLetter deadLetter(ImageTask task, FailureStage stage, String reason, Throwable error,
                                        String message, int attempts, Instant now) {
        return DeadLetters.forTask(task)
                .setStage(stage)
                .setReason(reason.toLowerCase(Locale.ROOT))
                .optError(error)
                .optMessage(message)
                .optAttempts(Math.max(1, attempts))
                .optClock(Clock.fixed(now, ZoneOffset.UTC))
                .build();
    }
}
