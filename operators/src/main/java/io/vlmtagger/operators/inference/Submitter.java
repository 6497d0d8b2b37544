package io.vlmtagger.operators.inference;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where {@link Attempts} sends one attempt: a {@link io.vlmtagger.operators.batching.MicroBatcher}
 * (static batches) or the chat operator's continuous-batching client. The future fails with a
 * {@link java.util.concurrent.TimeoutException} after {@code timeout}, and with a {@link
 * java.util.concurrent.CancellationException} when the submitter is closed first.
 */
@FunctionalInterface
public interface Submitter<I, O> {
    CompletableFuture<O> submit(I item, Duration timeout);
}
