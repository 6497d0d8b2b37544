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
