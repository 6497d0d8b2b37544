package io.vlmtagger.operators.stage;

import org.apache.flink.annotation.Internal;
import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.runtime.Failures;
import io.vlmtagger.operators.runtime.InferenceException;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns a failed inference request into a {@link DeadLetter}: the runtime's phase becomes the
 * stage ({@code PREPROCESS} for image decode errors, {@code INFERENCE} otherwise) and its reason
 * the dead letter's ({@code corrupt_image}, {@code too_large}, {@code timeout}, {@code
 * prompt_too_long}, ...; see {@link Failures}).
 */
@Internal
public final class InferenceDeadLetters {

    private InferenceDeadLetters() {}

    private static FailureStage stageOf(InferenceException.Phase phase) {
        return phase == InferenceException.Phase.PREPROCESS ? FailureStage.PREPROCESS : FailureStage.INFERENCE;
    }

    /** A dead letter for {@code failure} after {@code attempts}, stage and reason as the runtime classifies it. */
    public static DeadLetter deadLetter(ImageTask task, Throwable failure, int attempts, Instant now) {
        return deadLetter(task, failure, attempts, now, InferenceException::reason);
    }

    /**
     * As {@link #deadLetter(ImageTask, Throwable, int, Instant)}, with the reason a stage names for
     * the classified failure (e.g. its own reasons for a decode or a model failure).
     */
    public static DeadLetter deadLetter(ImageTask task, Throwable failure, int attempts, Instant now,
                                        Function<InferenceException, String> reason) {
        InferenceException e = Failures.classify(failure, attempts);
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return deadLetter(task, stageOf(e.phase()), reason.apply(e), cause, null, e.attempts(), now);
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
