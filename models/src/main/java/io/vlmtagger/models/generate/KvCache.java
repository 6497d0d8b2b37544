package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;

/** Past keys and values of every layer of a {@link CausalDecoder}, for one generation call. */
public interface KvCache extends AutoCloseable {

    /** Number of cached positions {@code P}. */
    long length();

    /**
     * Keeps/duplicates rows: row {@code i} of the cache becomes old row {@code rowIndices[i]}
     * (beam search reordering, dropping finished rows). {@code rowIndices} is int64 {@code [B']}.
     */
    void reorder(NDArray rowIndices);

    /** Frees the cached arrays now (they are also freed with the call's manager). */
    @Override
    void close();
}
