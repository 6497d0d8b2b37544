package io.vlmtagger.operators.runtime;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.InvalidRequestException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What the runtime makes of a failure: whether another attempt may help, the phase it belongs to
 * ({@code PREPROCESS} for image decode errors, {@code INFERENCE} otherwise) and a stable reason
 * ({@code corrupt_image}, {@code too_large}, {@code timeout}, {@code prompt_too_long}, ...).
 */
public final class Failures {
    /** Reason for a request that ran out of attempts by timing out. */
    public static final String REASON_TIMEOUT = "timeout";
    /** Reason for a request whose model call kept failing. */
    public static final String REASON_INFERENCE_FAILED = "inference_failed";
    /** Reason for a request whose batch ran out of memory even alone. */
    public static final String REASON_OUT_OF_MEMORY = "out_of_memory";
    /** Reason for a request refused because the runtime was full on every attempt. */
    public static final String REASON_OVERLOADED = "overloaded";

    private Failures() {}

    /** The failure inside {@link CompletionException}s and {@link ExecutionException}s. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Decode errors and requests the model refuses are deterministic: retrying them only wastes attempts. */
    public static boolean isRetryable(Throwable failure) {
        Throwable c = unwrap(failure);
        return !(c instanceof ImageDecodeException || c instanceof InvalidRequestException
                || c instanceof InferenceException);
    }

    public static InferenceException.Phase phaseOf(Throwable failure) {
        Throwable c = unwrap(failure);
        if (c instanceof InferenceException e) {
            return e.phase();
        }
        return c instanceof ImageDecodeException ? InferenceException.Phase.PREPROCESS : InferenceException.Phase.INFERENCE;
    }

    public static String reasonOf(Throwable failure) {
        Throwable c = unwrap(failure);
        if (c instanceof InferenceException e) {
            return e.reason();
        }
        if (c instanceof ImageDecodeException d) {
            return switch (d.reason()) {
                case EMPTY -> "empty_image";
                case UNSUPPORTED_FORMAT -> "unsupported_format";
                case CORRUPT -> "corrupt_image";
                case TOO_LARGE -> "too_large";
            };
        }
        if (c instanceof InvalidRequestException r) {
            return r.reason();
        }
        if (c instanceof TimeoutException) {
            return REASON_TIMEOUT;
        }
        if (c instanceof RejectedExecutionException) {
            return REASON_OVERLOADED;
        }
        if (OutOfMemoryDetector.isOutOfMemory(c)) {
            return REASON_OUT_OF_MEMORY;
        }
        return REASON_INFERENCE_FAILED;
    }

    /** {@code failure} after {@code attempts} as the runtime reports it; an {@link InferenceException} stays as it is. */
    public static InferenceException classify(Throwable failure, int attempts) {
        Throwable c = unwrap(failure);
        if (c instanceof InferenceException e) {
            return e;
        }
        return new InferenceException(phaseOf(c), reasonOf(c), attempts, c);
    }
}
