package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.generate.KvCache;
import java.util.Arrays;

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

    /** Layer {@code layer}'s cached keys {@code [B, kvHeads, P, d]}, or null while empty. */
    public NDArray keys(int layer) {
        return keys[layer];
    }

    /** Layer {@code layer}'s cached values, or null while empty. */
    public NDArray values(int layer) {
        return values[layer];
    }

    /** The manager cached arrays are kept in (see {@link #bind}), or null before the first binding. */
    public NDManager owner() {
        return owner;
    }

    /**
     * Replaces every layer's arrays with {@code newKeys} / {@code newValues} (a kernel's result,
     * e.g. old and new positions concatenated); old arrays that are not kept are closed, new ones
     * are attached to the owner.
     */
    public void replaceAll(NDList newKeys, NDList newValues) {
        if (newKeys.size() != keys.length || newValues.size() != values.length) {
            throw new IllegalArgumentException("expected " + keys.length + " layers of keys and values, got "
                    + newKeys.size() + " and " + newValues.size());
        }
        for (int i = 0; i < keys.length; i++) {
            keys[i] = replaceOne(keys[i], newKeys.get(i));
            values[i] = replaceOne(values[i], newValues.get(i));
        }
    }

    private NDArray replaceOne(NDArray old, NDArray next) {
        if (owner != null) {
            next.attach(owner);
        }
        if (old != null && old != next) {
            old.close();
        }
        return next;
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
    public void moveTo(NDManager manager) {
        owner = manager;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].attach(manager);
                values[i].attach(manager);
            }
        }
    }

    @Override
    public void appendRows(KvCache other) {
        if (!(other instanceof LayerKvCache o) || o.keys.length != keys.length) {
            throw new IllegalArgumentException("can only append a LayerKvCache of " + keys.length + " layers, got " + other);
        }
        if (o.keys[0] == null) {
            return;
        }
        if (keys[0] == null) {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = adopt(o.keys[i]);
                values[i] = adopt(o.values[i]);
            }
        } else {
            long mine = length();
            long theirs = o.length();
            for (int i = 0; i < keys.length; i++) {
                keys[i] = stackRows(keys[i], o.keys[i], mine, theirs);
                values[i] = stackRows(values[i], o.values[i], mine, theirs);
            }
        }
        Arrays.fill(o.keys, null);
        Arrays.fill(o.values, null);
    }

    @Override
    public void dropLeadingPositions(long positions) {
        if (positions <= 0 || keys[0] == null) {
            return;
        }
        if (positions > length()) {
            throw new IllegalArgumentException("cannot drop " + positions + " of " + length() + " cached positions");
        }
        for (int i = 0; i < keys.length; i++) {
            keys[i] = replace(keys[i], trimmed(keys[i], positions));
            values[i] = replace(values[i], trimmed(values[i], positions));
        }
    }

    /** A compact copy without the first {@code positions} positions (a view would keep the old storage alive). */
    private static NDArray trimmed(NDArray x, long positions) {
        try (NDArray view = x.get(":, :, {}:, :", positions)) {
            return view.duplicate();
        }
    }

    /** {@code [B1 + B2, h, max(P1, P2), d]}: {@code top} rows then {@code bottom} rows, each left-padded. */
    private NDArray stackRows(NDArray top, NDArray bottom, long topLength, long bottomLength) {
        long width = Math.max(topLength, bottomLength);
        NDArray stacked;
        try (NDManager scratch = top.getManager().newSubManager()) {
            NDArray a = leftPad(scratch, top, width - topLength);
            NDArray b = leftPad(scratch, bottom, width - bottomLength);
            stacked = a.concat(b, 0);
            stacked.attach(owner != null ? owner : top.getManager());
        }
        top.close();
        bottom.close();
        return stacked;
    }

    private static NDArray leftPad(NDManager scratch, NDArray x, long padding) {
        if (padding == 0) {
            return x;
        }
        Shape s = x.getShape();
        NDArray zeros = scratch.zeros(new Shape(s.get(0), s.get(1), padding, s.get(3)), x.getDataType(), x.getDevice());
        return zeros.concat(x, 2);
    }

    private NDArray adopt(NDArray x) {
        if (owner != null) {
            x.attach(owner);
        }
        return x;
    }

    private NDArray replace(NDArray old, NDArray next) {
        next.attach(owner != null ? owner : old.getManager());
        old.close();
        return next;
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
