package io.vlmtagger.operators.inference;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request through a {@link Submitter} (a {@link io.vlmtagger.operators.batching.MicroBatcher} or
 * a continuous-batching client) with a per-attempt timeout and up to {@code maxAttempts} attempts.
 * Each attempt's timeout is enforced by the submitter's scheduler, because
 * Flink's async timeout fires only once per element (it bounds all attempts together, see {@link
 * InferenceSettings#operatorTimeout()}).
 *
 * <p>A {@link CancellationException} means the batcher was closed (the task is shutting down):
 * nothing is reported, the element stays in Flink's checkpointed in-flight state and is
 * re-submitted after a restore, so no dead letter is produced for a mere restart.
 */
public final class Attempts<I, O> {
    private final Submitter<I, O> batcher;
    private final I item;
    private final Duration attemptTimeout;
    private final int maxAttempts;
    private final Runnable onRetry;
    private final AttemptCallback<O> callback;
    private final AtomicInteger attempt = new AtomicInteger();
    private final AtomicBoolean abandoned = new AtomicBoolean();

    public Attempts(Submitter<I, O> batcher, I item, Duration attemptTimeout, int maxAttempts,
                     Runnable onRetry, AttemptCallback<O> callback) {
        this.batcher = batcher;
        this.item = item;
        this.attemptTimeout = attemptTimeout;
        this.maxAttempts = maxAttempts;
        this.onRetry = onRetry;
        this.callback = callback;
    }

    /** Starts the first attempt; the callback runs on a batcher thread (possibly before this returns). */
    public Attempts<I, O> start() {
        if (attempt.get() != 0) {
            throw new IllegalStateException("attempts already started");
        }
        next();
        return this;
    }

    /** Number of attempts started so far. */
    public int attempts() {
        return attempt.get();
    }

    /** Stops retrying (the caller already gave up, e.g. Flink's overall timeout fired). */
    public void abandon() {
        abandoned.set(true);
    }

    private void next() {
        int n = attempt.incrementAndGet();
        batcher.submit(item, attemptTimeout).whenComplete((result, error) -> {
            if (abandoned.get()) {
                return;
            }
            if (error == null) {
                callback.succeeded(result, n);
                return;
            }
            Throwable cause = InferenceFailures.unwrap(error);
            if (cause instanceof CancellationException) {
                return;
            }
            if (n < maxAttempts && InferenceFailures.isRetryable(cause)) {
                onRetry.run();
                next();
            } else {
                callback.failed(cause, n);
            }
        });
    }
}
