package io.vlmtagger.operators.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A model's own continuous-batching loop (e.g. a chat model that lets a question join its running
 * decode batch at the next step), as the {@link InferenceRuntime} drives it instead of static
 * micro-batches. The loop runs on its own thread; closing it fails what it still holds with a
 * {@link java.util.concurrent.CancellationException}.
 *
 * @param <I> a prepared input row (see {@link ModelHandler#preprocess})
 * @param <O> the output for one row
 */
public interface ContinuousModel<I, O> extends AutoCloseable {

    /** Queues one row; cancelling the future drops the row at the loop's next step. */
    CompletableFuture<O> submit(I input);

    /** Rows waiting to join the running batch. */
    int queueDepth();

    @Override
    void close();
}
