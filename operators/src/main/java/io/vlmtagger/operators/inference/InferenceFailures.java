package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;

import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns an inference failure into a {@link DeadLetter}: the stage ({@code PREPROCESS} for image
 * decode errors, {@code INFERENCE} otherwise) and a stable reason ({@code corrupt_image}, {@code
 * too_large}, {@code timeout}, ...).
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

    private static final int MAX_MESSAGE_CHARS = 1000;

    private InferenceFailures() {}

    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Decode errors are deterministic: retrying them only wastes attempts. */
    public static boolean isRetryable(Throwable failure) {
        return !(unwrap(failure) instanceof ImageDecodeException);
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

    public static DeadLetter deadLetter(ImageTask task, Throwable failure, int attempts, Instant now) {
        Throwable c = unwrap(failure);
        return deadLetter(task, stageOf(c), reasonOf(c), c.getClass().getName(), c.getMessage(), attempts, now);
    }

    public static DeadLetter deadLetter(ImageTask task, FailureStage stage, String reason, String errorClass,
                                        String errorMessage, int attempts, Instant now) {
        String msg = errorMessage == null ? "" : errorMessage;
        if (msg.length() > MAX_MESSAGE_CHARS) {
            msg = msg.substring(0, MAX_MESSAGE_CHARS);
        }
        return DeadLetter.newBuilder()
                .setEventId(task.eventId())
                .setOriginalBytes(null)
                .setTruncated(false)
                .setTopic(task.topic)
                .setPartition(task.partition)
                .setOffset(task.offset)
                .setStage(stage)
                .setReason(reason.toLowerCase(Locale.ROOT))
                .setErrorClass(errorClass)
                .setErrorMessage(msg)
                .setAttempts(attempts)
                .setFailedAt(now)
                .build();
    }
}
