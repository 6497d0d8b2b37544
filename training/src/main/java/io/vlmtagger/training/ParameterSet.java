package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The named float32 parameters of a model being trained, keyed by their HuggingFace {@code
 * state_dict()} names, in a manager this set owns. Built either by initialising each parameter the
 * first time it is declared ({@link #initializing}, see {@link InitialWeights}), or from existing
 * tensors ({@link #of}: e.g. a reference checkpoint, to check the training forward against
 * transformers). A step computes with them through a serving model built on {@link #stepStore}.
 *
 * <p>The seed makes the initialisation reproducible. Not thread-safe (training is single-threaded).
 */
public final class ParameterSet implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Random random;
    private final boolean create;

    private ParameterSet(NDManager manager, Random random, boolean create) {
        this.manager = manager;
        this.random = random;
        this.create = create;
    }

    /** An empty set that creates each parameter on first request. */
    public static ParameterSet initializing(NDManager parent, long seed) {
        return new ParameterSet(parent.newSubManager(), new Random(seed), true);
    }

    /**
     * A fresh set ({@code initFrom} null) or one holding the weights of the checkpoint in {@code
     * initFrom} (to continue training from a snapshot).
     */
    public static ParameterSet create(NDManager parent, long seed, java.nio.file.Path initFrom) {
        if (initFrom == null) {
            return initializing(parent, seed);
        }
        try (NDManager scratch = parent.newSubManager()) {
            // parameters a checkpoint does not hold (the training-only probe heads) start fresh
            return startingFrom(parent, SafetensorsFile.open(initFrom.resolve("model.safetensors")).readAll(scratch), seed);
        }
    }

    private ParameterSet(ParameterSet loaded, Random random) {
        this(loaded.manager, random, true);
        params.putAll(loaded.params);
    }

    /**
     * A set holding copies of {@code tensors} that also creates parameters it does not hold yet
     * (seeded by {@code seed}): e.g. a model's initial weights plus training-only heads.
     */
    public static ParameterSet startingFrom(NDManager parent, Map<String, NDArray> tensors, long seed) {
        return new ParameterSet(of(parent, tensors), new Random(seed));
    }

    /** A set over given tensors (copied into the set's manager as float32); requests must match them. */
    public static ParameterSet of(NDManager parent, Map<String, NDArray> tensors) {
        ParameterSet set = new ParameterSet(parent.newSubManager(), null, false);
        tensors.forEach((k, v) -> set.params.put(k, v.toType(DataType.FLOAT32, true).duplicate()));
        set.params.values().forEach(a -> a.attach(set.manager));
        return set;
    }

    /** A weight matrix or tensor, N(0, std) when created. */
    public NDArray normal(String key, float std, long... shape) {
        return get(key, Init.NORMAL, std, shape);
    }

    /** A bias (0 when created). */
    public NDArray zeros(String key, long... shape) {
        return get(key, Init.ZEROS, 0, shape);
    }

    /** A norm weight (1 when created). */
    public NDArray ones(String key, long... shape) {
        return get(key, Init.ONES, 0, shape);
    }

    /** The parameters by key, in creation order (unmodifiable view). */
    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(params);
    }

    /** The number of scalars a checkpoint holds: all but the training-only probe heads. */
    public long checkpointCount() {
        return params.entrySet().stream().filter(e -> !CellProbe.isProbeParameter(e.getKey()))
                .mapToLong(e -> e.getValue().getShape().size()).sum();
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * A {@link WeightStore} over these parameters for one training step: see {@link
     * #stepStore(Path, Map, NDManager)}.
     */
    public WeightStore stepStore(Path name, NDManager step) {
        return stepStore(name, params, step);
    }

    /**
     * A {@link WeightStore} over {@code arrays} (parameters being trained, and any frozen ones) for
     * one training step: a serving model built on it inside a gradient collector computes with the
     * arrays themselves, so autograd reaches them. Every array is temporarily attached to {@code
     * step}, so that what the model derives from its weights when built (fused q/k/v, views) lands
     * there and is freed with the step; the store's own manager is a child of {@code step}, closed
     * with the model. Build the model afresh each step: what it derived must follow the updates.
     *
     * @param name what error messages call the checkpoint
     */
    public static WeightStore stepStore(Path name, Map<String, NDArray> arrays, NDManager step) {
        arrays.values().forEach(a -> a.tempAttach(step));
        return WeightStore.ofArrays(name, arrays, step.newSubManager());
    }

    /** Marks every parameter as requiring gradients (before the first training step). */
    public void requireGradients() {
        params.values().forEach(a -> a.setRequiresGradient(true));
    }

    @Override
    public void close() {
        manager.close();
    }

    private NDArray get(String key, Init init, float std, long[] shape) {
        NDArray existing = params.get(key);
        Shape expected = new Shape(shape);
        if (existing != null) {
            if (!existing.getShape().equals(expected)) {
                throw new IllegalArgumentException("parameter " + key + " has shape " + existing.getShape()
                        + ", the model asks for " + expected);
            }
            return existing;
        }
        if (!create) {
            throw new IllegalArgumentException("parameter " + key + " " + expected + " is missing from the given tensors");
        }
        NDArray a = switch (init) {
            case ZEROS -> manager.zeros(expected, DataType.FLOAT32);
            case ONES -> manager.ones(expected, DataType.FLOAT32);
            case NORMAL -> {
                float[] values = new float[(int) expected.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
                yield manager.create(values, expected);
            }
        };
        params.put(key, a);
        return a;
    }

    private enum Init { ZEROS, ONES, NORMAL }
}
