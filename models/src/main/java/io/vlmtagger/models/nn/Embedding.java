package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import io.vlmtagger.models.weights.Weights;

/** A lookup table {@code weight [rows, dim]}; ids of any shape map to {@code [..., dim]} in the ids' manager. */
public final class Embedding {
    private final NDArray weight;

    public Embedding(NDArray weight) {
        this.weight = weight;
    }

    /** Loads {@code weight} [rows, dim] from {@code w} (prefixed to the module). */
    public static Embedding load(Weights w, long rows, long dim) {
        return new Embedding(w.get("weight", rows, dim));
    }

    /** @param ids int64 indices in {@code [0, rows)} */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    }

    public long rows() {
        return weight.getShape().get(0);
    }
}
