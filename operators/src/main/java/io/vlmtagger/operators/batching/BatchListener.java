package io.vlmtagger.operators.batching;

/**
 * Observes a {@link MicroBatcher} (metrics). Called on the model thread; implementations must be
 * cheap and must not throw.
 */
public interface BatchListener {

    /** One handler call finished (successfully or not) after {@code latencyNanos}. */
    default void onBatch(int batchSize, long latencyNanos, boolean succeeded) {}

    /** A failed batch of {@code batchSize} is retried element by element. */
    default void onElementwiseRetry(int batchSize) {}

    /** A batch of {@code batchSize} ran out of native memory and is split in halves. */
    default void onOutOfMemorySplit(int batchSize) {}

    BatchListener NONE = new BatchListener() {};
}
