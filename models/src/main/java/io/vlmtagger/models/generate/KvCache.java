package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Past keys and values of every layer of a {@link CausalDecoder}, for one generation call. */
public interface KvCache extends AutoCloseable {

    /** Number of cached positions {@code P}. */
    long length();

    /**
     * Keeps/duplicates rows: row {@code i} of the cache becomes old row {@code rowIndices[i]}
     * (beam search reordering, dropping finished rows). {@code rowIndices} is int64 {@code [B']}.
     */
    void reorder(NDArray rowIndices);

    /**
     * Continuous batching: moves every cached array into {@code manager} and keeps new ones there
     * too, until the next move. A loop that keeps one cache across many forwards moves it into
     * each step's scratch manager and back afterwards: ops that take a cached array as their first
     * operand put their results in that array's manager, and those temporaries must die with the
     * step, not pile up in the long-lived manager.
     */
    default void moveTo(NDManager manager) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support continuous batching");
    }

    /**
     * Continuous batching: appends the rows of {@code other} (from the same decoder's {@link
     * CausalDecoder#newCache()}) after this cache's rows, per layer. The shorter of the two is
     * left-padded with zeros along the sequence axis to the longer length; callers pad the
     * attention masks the same way (mask 0), so the padding is never attended to. {@code other}
     * is emptied (its arrays are closed or moved here).
     */
    default void appendRows(KvCache other) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support continuous batching");
    }

    /**
     * Continuous batching: drops the oldest {@code positions} positions of every row (callers drop
     * only columns that are padding in every row, e.g. after the longest rows finished).
     */
    default void dropLeadingPositions(long positions) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support continuous batching");
    }

    /** Frees the cached arrays now (they are also freed with the call's manager). */
    @Override
    void close();
}
