package io.vlmtagger.operators.runtime;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.ToIntFunction;

/**
 * One request through an {@link Engine} with a per-attempt timeout and up to {@code maxAttempts}
 * attempts; the outcome goes to the request's {@link InferenceFuture}. The timeout is per attempt
 * and enforced by the engine's scheduler, so that one slow attempt is retried instead of using up
 * the whole time of the request. Failures that a retry cannot fix ({@link Failures#isRetryable})
 * end at once.
 *
 * <p>A {@link CancellationException} means the engine was closed (the task is shutting down): the
 * request's future fails with it and nothing else is reported (callers keep such requests in their
 * checkpointed state and submit them again after a restore). A future that is already done (the
 * caller gave up, see {@link InferenceFuture#giveUp}) ends the attempts.
 */
final class Attempts<I, O> {
    private final Engine<I, O> engine;
    private final Duration timeout;
    private final int maxAttempts;
    private final InferenceListener listener;
    private final ToIntFunction<O> newTokens;

    Attempts(Engine<I, O> engine, Duration timeout, int maxAttempts, InferenceListener listener,
            ToIntFunction<O> newTokens) {
        this.engine = engine;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.listener = listener;
        this.newTokens = newTokens;
    }

    void start(I input, InferenceFuture<O> result) {
        attempt(input, result, 1);
    }

    private void attempt(I input, InferenceFuture<O> result, int n) {
        if (result.isDone()) {
            return;
        }
        result.attempted(n);
        engine.submit(input, timeout).whenComplete((value, error) -> {
            if (result.isDone()) {
                return;
            }
            if (error == null) {
                listener.onResult(newTokens.applyAsInt(value));
                result.complete(value);
                return;
            }
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof CancellationException) {
                result.completeExceptionally(cause);
            } else if (n < maxAttempts && Failures.isRetryable(cause)) {
                listener.onRetry();
                attempt(input, result, n + 1);
            } else {
                result.completeExceptionally(Failures.classify(cause, n));
            }
        });
    }
}
