package io.vlmtagger.operators.runtime;

import java.util.Locale;
import java.util.Objects;

/**
 * A request that the runtime gave up on: in which phase it failed, a stable reason for dead
 * letters and metrics ({@code corrupt_image}, {@code timeout}, {@code prompt_too_long}, ...; see
 * {@link Failures}), the attempts made, and the failure itself as the cause.
 */
public final class InferenceException extends Exception {

    /** Where a request failed. */
    public enum Phase {
        /** Its input could not be prepared for the model (an undecodable image): never retried. */
        PREPROCESS,
        /** The model call failed, timed out, or cannot answer this request. */
        INFERENCE
    }

    private final Phase phase;
    private final String reason;
    private final int attempts;

    public InferenceException(Phase phase, String reason, int attempts, Throwable cause) {
        super(phase.name().toLowerCase(Locale.ROOT) + "/" + reason + " after " + attempts + " attempt"
                + (attempts == 1 ? "" : "s") + ": " + (cause == null ? "" : cause.getMessage()), cause);
        this.phase = Objects.requireNonNull(phase, "phase");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.attempts = Math.max(1, attempts);
    }

    /** Where the request failed; {@code PREPROCESS} failures are never retried. */
    public Phase phase() {
        return phase;
    }

    /** A stable snake_case word: the dead letter's reason. */
    public String reason() {
        return reason;
    }

    /** Attempts made before giving up, at least 1. */
    public int attempts() {
        return attempts;
    }
}
