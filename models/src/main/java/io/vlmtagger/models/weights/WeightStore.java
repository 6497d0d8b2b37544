package io.vlmtagger.models.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The weights of one HuggingFace checkpoint directory, loaded on demand onto one device in one
 * compute dtype and kept in a model-level {@link NDManager} that this store owns (closed with
 * {@link #close()}).
 *
 * <p>Keys are the checkpoint's own {@code state_dict()} names. Two indirections resolve a requested
 * (logical) key to a stored one, in this order: the key itself; prefix aliases ({@link
 * Builder#optAlias}: e.g. LLaVA's older {@code language_model.model.} layout requested, newer
 * {@code model.language_model.} stored); tied weights ({@link Builder#optTie}: e.g. OPT's
 * {@code lm_head.weight} = {@code embed_tokens.weight}). Every failure is a {@link
 * CheckpointException} naming the checkpoint and the key.
 *
 * <p>Thread-safe: the first {@code get} of a key loads it, later ones return the same array.
 */
public final class WeightStore implements AutoCloseable {
    private final CheckpointFiles files;
    private final NDManager manager;
    private final DataType dataType;
    private final List<String[]> aliases;
    private final Map<String, String> ties;
    private final Map<String, NDArray> loaded = new ConcurrentHashMap<>();
    /** In-memory arrays (see {@link #ofArrays}), or null for a checkpoint on disk. */
    private final Map<String, NDArray> arrays;
    private final Path name;

    private WeightStore(Builder b, CheckpointFiles files, NDManager manager) {
        this.files = files;
        this.manager = manager;
        this.dataType = b.dataType;
        this.aliases = List.copyOf(b.aliases);
        this.ties = Map.copyOf(b.ties);
        this.arrays = null;
        this.name = files.directory();
    }

    private WeightStore(Path name, Map<String, NDArray> arrays, NDManager manager) {
        this.files = null;
        this.manager = manager;
        this.dataType = DataType.FLOAT32;
        this.aliases = List.of();
        this.ties = Map.of();
        this.arrays = Map.copyOf(arrays);
        this.name = name;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A store over float32 arrays already in memory, keyed by their checkpoint names and returned as
     * they are (not copied): e.g. parameters being trained, so that a model built on this store
     * computes with them and autograd reaches them. {@code manager} is the store's model-level
     * manager (for arrays a model derives from its weights at construction; closed with the store);
     * the arrays themselves stay where they are.
     *
     * @param name what error messages call the checkpoint
     */
    public static WeightStore ofArrays(Path name, Map<String, NDArray> arrays, NDManager manager) {
        return new WeightStore(name, arrays, manager);
    }

    /** The checkpoint directory. */
    public Path checkpoint() {
        return name;
    }

    /** The model-level manager the weights live in; do not create per-call arrays here. */
    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The compute dtype every floating-point weight is converted to. */
    public DataType dataType() {
        return dataType;
    }

    /** The whole checkpoint as a {@link Weights} view with no prefix. */
    public Weights weights() {
        return new Weights(this, "");
    }

    /** A view whose keys are relative to {@code prefix} (include the trailing dot). */
    public Weights weights(String prefix) {
        return new Weights(this, prefix);
    }

    /** The keys stored in the checkpoint files (not aliases or ties). */
    public Set<String> storedKeys() {
        return arrays != null ? arrays.keySet() : files.filesByKey().keySet();
    }

    /** Whether {@code key} resolves to a stored tensor (directly, through an alias, or a tie). */
    public boolean contains(String key) {
        return resolve(key) != null;
    }

    /**
     * The weight {@code key}, floating point in {@link #dataType()} (integers as stored).
     *
     * @param expectedShape the shape it must have; empty to skip the check; {@code -1} in a
     *     position accepts any size there
     */
    public NDArray get(String key, long... expectedShape) {
        String stored = resolve(key);
        if (stored == null) {
            throw missing(key);
        }
        NDArray array = arrays != null ? arrays.get(stored)
                : loaded.computeIfAbsent(stored, k -> files.fileOf(k).read(manager, k, dataType));
        checkShape(key, stored, array.getShape(), expectedShape);
        return array;
    }

    /**
     * The weight {@code key} for the caller to own: not kept by the store (a cached copy is handed
     * over), for weights that are only an input to a derived one (e.g. q/k/v projections fused into
     * one matrix at load time); close it once the derived weight is made. Never use it on a weight
     * other parts share (tied embeddings).
     */
    public NDArray take(String key, long... expectedShape) {
        String stored = resolve(key);
        if (stored == null) {
            throw missing(key);
        }
        if (arrays != null) {
            // the store does not own in-memory arrays: hand over a view the caller may close (it
            // shares the array's data and, under autograd, passes gradients back to it)
            NDArray array = arrays.get(stored);
            checkShape(key, stored, array.getShape(), expectedShape);
            return array.reshape(array.getShape());
        }
        NDArray cached = loaded.remove(stored);
        NDArray array = cached != null ? cached : files.fileOf(stored).read(manager, stored, dataType);
        checkShape(key, stored, array.getShape(), expectedShape);
        return array;
    }

    /** Like {@link #get} but empty when the key does not resolve (optional parameters such as biases). */
    public Optional<NDArray> find(String key, long... expectedShape) {
        return contains(key) ? Optional.of(get(key, expectedShape)) : Optional.empty();
    }

    /** The stored name {@code key} resolves to, or null. */
    String resolve(String key) {
        Set<String> stored = storedKeys();
        if (stored.contains(key)) {
            return key;
        }
        for (String[] alias : aliases) {
            if (key.startsWith(alias[0])) {
                String candidate = alias[1] + key.substring(alias[0].length());
                if (stored.contains(candidate)) {
                    return candidate;
                }
            }
        }
        String tiedTo = ties.get(key);
        return tiedTo != null && !tiedTo.equals(key) ? resolve(tiedTo) : null;
    }

    private CheckpointException missing(String key) {
        List<String> tried = new ArrayList<>();
        for (String[] alias : aliases) {
            if (key.startsWith(alias[0])) {
                tried.add(alias[1] + key.substring(alias[0].length()));
            }
        }
        if (ties.containsKey(key)) {
            tried.add(ties.get(key) + " (tied)");
        }
        return new CheckpointException("checkpoint " + checkpoint() + " has no weight '" + key + "'"
                + (tried.isEmpty() ? "" : " (also tried " + String.join(", ", tried) + ")")
                + "; nearest stored keys: " + NearMiss.closest(key, storedKeys(), 5));
    }

    private void checkShape(String key, String stored, Shape actual, long[] expected) {
        if (expected.length == 0) {
            return;
        }
        boolean ok = actual.dimension() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || expected[i] == actual.get(i);
        }
        if (!ok) {
            throw new CheckpointException("checkpoint " + checkpoint() + ": weight '" + key + "'"
                    + (stored.equals(key) ? "" : " (stored as '" + stored + "')") + " has shape " + actual
                    + ", expected " + Arrays.toString(expected) + " from config.json");
        }
    }

    /** Frees every loaded weight (the store's manager). */
    @Override
    public void close() {
        loaded.clear();
        manager.close();
    }

    /** Builds a {@link WeightStore}: {@code setCheckpoint} required, the rest optional. */
    public static final class Builder {
        private Path checkpoint;
        private NDManager parent;
        private Device device;
        private DataType dataType;
        private final List<String[]> aliases = new ArrayList<>();
        private final Map<String, String> ties = new LinkedHashMap<>();

        private Builder() {}

        /** The checkpoint directory (holding model.safetensors or model.safetensors.index.json). */
        public Builder setCheckpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        /** A manager to create the store's own sub-manager under; default: a new base manager. */
        public Builder optParentManager(NDManager parent) {
            this.parent = parent;
            return this;
        }

        /** Device to load onto; default: CPU. */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /** Compute dtype for floating-point weights, FLOAT32 or FLOAT16; default float32 on CPU, float16 on GPU. */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /**
         * When a requested key starting with {@code requestedPrefix} is not stored, try it with that
         * prefix replaced by {@code storedPrefix}. Aliases are tried in the order added.
         */
        public Builder optAlias(String requestedPrefix, String storedPrefix) {
            aliases.add(new String[] {
                Objects.requireNonNull(requestedPrefix, "requestedPrefix"),
                Objects.requireNonNull(storedPrefix, "storedPrefix")
            });
            return this;
        }

        /** When {@code key} is not stored (nor aliased), use {@code sourceKey} (tied weights). */
        public Builder optTie(String key, String sourceKey) {
            ties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(sourceKey, "sourceKey"));
            return this;
        }

        public WeightStore build() {
            if (checkpoint == null) {
                throw new IllegalStateException("WeightStore needs setCheckpoint(<directory with model.safetensors>)");
            }
            Device d = device != null ? device : (parent != null ? parent.getDevice() : Device.cpu());
            if (dataType == null) {
                dataType = d.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
            }
            if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
                // DJL 0.36's PyTorch JNI has no bfloat16 mapping: creating or casting to BFLOAT16
                // calls std::terminate and kills the JVM (BF16 files are fine: read as float32).
                throw new IllegalStateException("optDataType must be FLOAT32 or FLOAT16, got " + dataType
                        + (dataType == DataType.BFLOAT16
                                ? " (DJL 0.36's PyTorch engine aborts the JVM on BFLOAT16 tensors)" : ""));
            }
            CheckpointFiles files = CheckpointFiles.open(checkpoint);
            NDManager manager = parent != null ? parent.newSubManager(d) : NDManager.newBaseManager(d);
            manager.setName("weights:" + checkpoint.getFileName());
            return new WeightStore(this, files, manager);
        }
    }
}
