package io.vlmtagger.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.nn.LayerKvCache;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LayerKvCache} as a kernel call takes it (see {@code common.ts}): the layers' keys and
 * values as two tensor lists and the cache mode, 0 without a cache (lists of empty tensors) or 1
 * growing (a layer's cache, or an empty tensor before its first call). After the call {@link
 * #store} puts the returned caches back. Close it after the call.
 */
public final class CacheArgs implements AutoCloseable {
    private final LayerKvCache cache;
    private final TensorList none;
    private final List<NDArray> empties = new ArrayList<>();
    private final List<NDArray> keys;
    private final List<NDArray> values;

    /**
     * @param cache the call's cache, or null
     * @param none the decoder's lists of empty tensors, one per layer (for calls without a cache)
     * @param out the manager the cache keeps its arrays in when it has none yet (the call's)
     */
    public CacheArgs(LayerKvCache cache, TensorList none, int layers, DataType type, NDManager out) {
        this.cache = cache;
        this.none = none;
        if (cache == null) {
            keys = null;
            values = null;
            return;
        }
        cache.bind(out);
        keys = new ArrayList<>(layers);
        values = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            keys.add(orEmpty(cache.keys(i), type));
            values.add(orEmpty(cache.values(i), type));
        }
    }

    /**
     * One empty tensor per layer as a kernel list: what a model passes as {@code kcs} and {@code
     * vcs} to a call without a cache. Built once per model, in its {@code manager}.
     */
    public static TensorList noCache(Kernels kernels, int layers, DataType type, NDManager manager) {
        List<NDArray> empties = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            empties.add(manager.create(new Shape(0), type));
        }
        return kernels.list(empties);
    }

    /**
     * {@code attentionMask [B, P + T]} as int64, after checking that it covers the {@code P}
     * positions {@code cache} holds (0 without one) and the {@code T} new ones of {@code inputsEmbeds}.
     */
    public static NDArray mask(NDArray inputsEmbeds, NDArray attentionMask, LayerKvCache cache) {
        long t = inputsEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        if (past + t != total) {
            throw new IllegalArgumentException("attention mask covers " + total + " positions but the cache holds "
                    + past + " and " + t + " are new");
        }
        return int64(attentionMask);
    }

    /** {@code mask} as the kernels take masks: int64 (the same array when it is one). */
    public static NDArray int64(NDArray mask) {
        return mask.getDataType() == DataType.INT64 ? mask : mask.toType(DataType.INT64, false);
    }

    private NDArray orEmpty(NDArray a, DataType type) {
        if (a != null) {
            return a;
        }
        NDArray empty = cache.owner().create(new Shape(0), type);
        empties.add(empty);
        return empty;
    }

    /** Adds {@code kcs, vcs, mode} to the call. */
    public KernelCall addTo(KernelCall call) {
        if (cache == null) {
            return call.list(none).list(none).i(0);
        }
        return call.tensors(keys).tensors(values).i(1);
    }

    /** Takes the caches a call returned: into the cache, or freed when there is none. */
    public void store(NDList newKeys, NDList newValues) {
        if (cache != null) {
            cache.replaceAll(newKeys, newValues);
        } else {
            newKeys.close();
            newValues.close();
        }
    }

    @Override
    public void close() {
        empties.forEach(NDArray::close);
    }
}
