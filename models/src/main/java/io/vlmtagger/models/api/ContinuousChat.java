package io.vlmtagger.models.api;

import java.util.concurrent.CompletableFuture;

/**
 * Continuous batching for a {@link VisualChatModel}: single questions join a decode loop that is
 * already running (one loop thread per handle) instead of waiting for a batch to finish. Greedy
 * decoding only (beam search and sampling stay on {@link VisualChatModel#answer}).
 * Thread-safe; {@link #close()} fails questions still queued or running with a {@link
 * java.util.concurrent.CancellationException}.
 */
public interface ContinuousChat extends AutoCloseable {

    /**
     * Queues one question. The future fails with {@link InvalidRequestException} (reason {@code prompt_too_long})
     * when the question alone does not fit the context, {@link IllegalArgumentException} for
     * non-greedy options, {@link java.util.concurrent.RejectedExecutionException} when the queue
     * is full, and {@link java.util.concurrent.CancellationException} after {@link #close()}.
     * Cancelling the future drops the question at the next decode step.
     */
    CompletableFuture<GenerationResult> submit(ChatRequest request, GenerationOptions options);

    /** Questions waiting to join the running batch. */
    int queueDepth();

    @Override
    void close();
}
