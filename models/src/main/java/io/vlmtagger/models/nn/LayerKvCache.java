package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.generate.KvCache;

/**
 * Past keys and values for a stack of decoder layers, each {@code [B, kvHeads, P, headDim]}.
 * A layer's forward calls {@link #append}, gets back the full keys/values, and attends to them.
 * The decoder {@link #bind}s the cache to the call's manager before the first append, so cached
 * arrays outlive the per-layer {@link CallScope} they were computed in.
 */
public final class LayerKvCache implements KvCache {
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDManager owner;

    public LayerKvCache(int numLayers) {
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Keeps the cached arrays in {@code manager} (the call's manager); the first binding wins. */
    public void bind(NDManager manager) {
        if (owner == null) {
            owner = manager;
        }
    }

    /**
     * Appends {@code k, v} ({@code [B, kvHeads, T, d]}) to layer {@code layer}'s cache.
     *
     * @return {@code [allKeys, allValues]}, each {@code [B, kvHeads, P + T, d]}
     */
    public NDList append(int layer, NDArray k, NDArray v) {
        NDArray oldK = keys[layer];
        NDArray oldV = values[layer];
        if (oldK == null) {
            keys[layer] = k;
            values[layer] = v;
        } else {
            keys[layer] = oldK.concat(k, 2);
            values[layer] = oldV.concat(v, 2);
            oldK.close();
            oldV.close();
        }
        if (owner != null) {
            keys[layer].attach(owner);
            values[layer].attach(owner);
        }
        return new NDList(keys[layer], values[layer]);
    }

    public int numLayers() {
        return keys.length;
    }

    @Override
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Number of rows {@code B} cached, or 0 when empty. */
    public long batchSize() {
        return keys[0] == null ? 0 : keys[0].getShape().get(0);
    }

    @Override
    public void reorder(NDArray rowIndices) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null) {
                continue;
            }
            NDArray k = keys[i].get(rowIndices);
            NDArray v = values[i].get(rowIndices);
            keys[i].close();
            values[i].close();
            keys[i] = k;
            values[i] = v;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
    }
}
