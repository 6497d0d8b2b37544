package io.vlmtagger.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Optional;

/**
 * A prefixed view of a {@link WeightStore}: model parts take one and ask for their parameters by
 * the key suffix, so the prefixes in code mirror the checkpoint keys, e.g.
 * {@code store.weights("vision_model.").sub("encoder.layers.0.").get("mlp.fc1.weight", 64, 32)}.
 */
public final class Weights {
    private final WeightStore store;
    private final String prefix;

    Weights(WeightStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    /** A view for {@code prefix + childPrefix}; include the trailing dot ({@code "layers.0."}). */
    public Weights sub(String childPrefix) {
        return new Weights(store, prefix + childPrefix);
    }

    /** {@link WeightStore#get} of {@code prefix + key}. */
    public NDArray get(String key, long... expectedShape) {
        return store.get(prefix + key, expectedShape);
    }

    /** {@link WeightStore#take} of {@code prefix + key}: the caller owns (and closes) the array. */
    public NDArray take(String key, long... expectedShape) {
        return store.take(prefix + key, expectedShape);
    }

    /** {@link WeightStore#find} of {@code prefix + key}. */
    public Optional<NDArray> find(String key, long... expectedShape) {
        return store.find(prefix + key, expectedShape);
    }

    public boolean contains(String key) {
        return store.contains(prefix + key);
    }

    public String prefix() {
        return prefix;
    }

    public WeightStore store() {
        return store;
    }

    /** The model-level manager (for model-lifetime derived arrays only, never per-call ones). */
    public NDManager manager() {
        return store.manager();
    }

    public DataType dataType() {
        return store.dataType();
    }

    /** A model-lifetime {@code [size]} array of zeros in the compute dtype (an absent bias). */
    public NDArray zeros(long size) {
        return manager().zeros(new Shape(size), dataType());
    }

    /** A model-lifetime {@code [size]} array of ones in the compute dtype (an absent norm weight). */
    public NDArray ones(long size) {
        return manager().ones(new Shape(size), dataType());
    }

    /**
     * The parts concatenated along the rows (a fused q/k/v or gate/up projection, built once at
     * load); the parts are freed.
     */
    public static NDArray fuse(NDArray... parts) {
        return fuse(List.of(parts));
    }

    /** As {@link #fuse(NDArray...)}. */
    public static NDArray fuse(List<NDArray> parts) {
        NDArray fused = NDArrays.concat(new NDList(parts));
        parts.forEach(NDArray::close);
        return fused;
    }
}
