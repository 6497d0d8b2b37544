package io.vlmtagger.models.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one way every architecture loads (BLIP-2, LLaVA, IDEFICS): {@code setCheckpoint} (required),
 * {@code optDevice} (CPU by default), {@code optDataType} (float32 on the CPU, float16 on a GPU by
 * default), {@code optParentManager}; {@code build()} reads the config, opens a {@link
 * WeightStore} with the architecture's key aliases and ties, builds the model on it, and closes
 * the store again if building fails (a missing or mis-shaped weight is a {@code
 * CheckpointException} naming the checkpoint and the key).
 *
 * @param <C> the architecture's config
 * @param <T> the model
 */
public final class ModelBuilder<C, T> {
    private final String modelName;
    private final Function<Path, C> config;
    private final Function<WeightStore.Builder, WeightStore.Builder> layout;
    private final BiFunction<C, WeightStore, T> model;
    private Path checkpoint;
    private Device device;
    private DataType dataType;
    private NDManager parent;

    /**
     * @param modelName for the error when no checkpoint is set
     * @param config reads the architecture's config from a checkpoint directory
     * @param layout adds the architecture's key aliases and ties to a store builder
     * @param model builds the model on an open store (the model owns the store from then on)
     */
    public ModelBuilder(String modelName, Function<Path, C> config,
            Function<WeightStore.Builder, WeightStore.Builder> layout, BiFunction<C, WeightStore, T> model) {
        this.modelName = modelName;
        this.config = config;
        this.layout = layout;
        this.model = model;
    }

    /** The checkpoint directory (config.json + model.safetensors or a sharded index). */
    public ModelBuilder<C, T> setCheckpoint(Path checkpoint) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        return this;
    }

    /** The device the weights live and compute on; default the CPU. */
    public ModelBuilder<C, T> optDevice(Device device) {
        this.device = device;
        return this;
    }

    /** Compute dtype of the weights: FLOAT32 or FLOAT16; default float32 on the CPU, float16 on a GPU. */
    public ModelBuilder<C, T> optDataType(DataType dataType) {
        this.dataType = dataType;
        return this;
    }

    /** A manager to create the weights' manager under (default: a new base manager). */
    public ModelBuilder<C, T> optParentManager(NDManager parent) {
        this.parent = parent;
        return this;
    }

    public T build() {
        if (checkpoint == null) {
            throw new IllegalStateException(modelName + " needs setCheckpoint(<checkpoint directory>)");
        }
        C c = config.apply(checkpoint);
        WeightStore.Builder b = layout.apply(WeightStore.builder().setCheckpoint(checkpoint));
        if (device != null) {
            b.optDevice(device);
        }
        if (dataType != null) {
            b.optDataType(dataType);
        }
        if (parent != null) {
            b.optParentManager(parent);
        }
        WeightStore store = b.build();
        try {
            return model.apply(c, store);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }
}
