package io.vlmtagger.operators.runtime;

/**
 * Observes an {@link InferenceRuntime} (metrics). Called on the runtime's threads (the model
 * thread, a completion thread); implementations must be cheap and must not throw.
 */
public interface InferenceListener {

    /** One model call finished (successfully or not) after {@code latencyNanos}. */
    default void onBatch(int batchSize, long latencyNanos, boolean succeeded) {}

    /** A failed batch of {@code batchSize} is retried element by element (poison isolation). */
    default void onElementwiseRetry(int batchSize) {}

    /** A batch of {@code batchSize} ran out of native memory and is split in halves. */
    default void onOutOfMemorySplit(int batchSize) {}

    /** A request's attempt failed and it is attempted again. */
    default void onRetry() {}

    /** A request got its result from the model, with {@code newTokens} generated tokens (0 if not counted). */
    default void onResult(int newTokens) {}

    InferenceListener NONE = new InferenceListener() {};
}
