package io.vlmtagger.operators.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How an {@link InferenceRuntime} runs one attempt: static micro-batches ({@link MicroBatcher}) or
 * the model's own continuous-batching loop ({@link ContinuousEngine}). The future fails with a
 * {@link java.util.concurrent.TimeoutException} after {@code timeout}, and with a {@link
 * java.util.concurrent.CancellationException} when the engine is closed first.
 */
interface Engine<I, O> extends AutoCloseable {

    CompletableFuture<O> submit(I item, Duration timeout);

    /** Requests waiting for the model (queued or being preprocessed). */
    int queueDepth();

    /** "static" or "continuous", for the log. */
    String mode();

    @Override
    void close();
}
