package io.vlmtagger.operators.runtime;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The result of one request to an {@link InferenceRuntime}: completes with the model's output, or
 * exceptionally with an {@link InferenceException} (phase, stable reason, attempts) once the
 * attempts are used up or the failure is permanent, or with a {@link CancellationException} when
 * the runtime closed first (a shutdown, not a failure of the request: report nothing).
 */
public final class InferenceFuture<O> extends CompletableFuture<O> {
    private volatile int attempts = 1;

    InferenceFuture() {}

    /** Attempts started so far (at least 1). */
    public int attempts() {
        return attempts;
    }

    void attempted(int n) {
        attempts = n;
    }

    /**
     * The caller stops waiting (e.g. its own overall timeout fired): fails this request as {@code
     * timeout} after the attempts so far, with {@code message}; no further attempt starts, and
     * requests that shared this one's model call ({@link InferenceRuntime.Builder#optDedup}) fail
     * with it.
     *
     * @return whether this call completed the future (false: it was already done)
     */
    public boolean giveUp(String message) {
        return completeExceptionally(new InferenceException(InferenceException.Phase.INFERENCE,
                Failures.REASON_TIMEOUT, attempts, new TimeoutException(message)));
    }
}
