package io.vlmtagger.models.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.KvCache;
import java.util.Random;

/**
 * A small deterministic {@link CausalDecoder} for tests: random weights, one single-head causal
 * attention layer with learned positions taken from the attention mask (OPT style, {@code
 * cumsum(mask) * mask - 1}), additive finite mask, tanh, LM head. It honours the whole contract
 * (left padding, cache append and reorder, per-call tensors in the inputs' manager), so generation
 * can be tested without a real checkpoint.
 */
public final class ToyDecoder implements CausalDecoder {
    private final NDArray tokenEmbedding; // [V, H]
    private final NDArray positionEmbedding; // [maxPos, H]
    private final NDArray wq;
    private final NDArray wk;
    private final NDArray wv;
    private final NDArray wo; // [H, H] each
    private final NDArray lmHead; // [H, V]
    private final int vocab;
    private final int hidden;
    private final int maxPositions;

    private ToyDecoder(NDManager m, int vocab, int hidden, int maxPositions, long seed) {
        Random random = new Random(seed);
        this.vocab = vocab;
        this.hidden = hidden;
        this.maxPositions = maxPositions;
        this.tokenEmbedding = gaussian(m, random, 1.0f, vocab, hidden);
        this.positionEmbedding = gaussian(m, random, 0.5f, maxPositions, hidden);
        float s = (float) (1.0 / Math.sqrt(hidden));
        this.wq = gaussian(m, random, 2 * s, hidden, hidden);
        this.wk = gaussian(m, random, 2 * s, hidden, hidden);
        this.wv = gaussian(m, random, s, hidden, hidden);
        this.wo = gaussian(m, random, s, hidden, hidden);
        this.lmHead = gaussian(m, random, 1.0f, hidden, vocab);
    }

    /** Weights live in {@code modelManager}; the same seed gives the same model. */
    public static ToyDecoder create(NDManager modelManager, int vocab, int hidden, int maxPositions, long seed) {
        return new ToyDecoder(modelManager, vocab, hidden, maxPositions, seed);
    }

    private static NDArray gaussian(NDManager m, Random random, float std, int rows, int cols) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * std);
        }
        return m.create(data, new Shape(rows, cols));
    }

    @Override
    public NDArray embed(NDArray inputIds) {
        Shape shape = inputIds.getShape();
        NDArray oneHot = inputIds.reshape(-1).oneHot(vocab, DataType.FLOAT32); // [B*T, V]
        return oneHot.matMul(tokenEmbedding).reshape(shape.get(0), shape.get(1), hidden);
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        long batch = inputsEmbeds.getShape().get(0);
        long len = inputsEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        long past = total - len;
        if (cache != null && cache.length() != past) {
            throw new IllegalArgumentException("mask covers " + total + " positions but cache holds "
                    + cache.length() + " and " + len + " are new");
        }
        NDManager m = inputsEmbeds.getManager();
        NDArray positions = attentionMask.cumSum(1).mul(attentionMask).sub(1).clip(0, maxPositions - 1)
                .get(new NDIndex(":, {}:", past)); // [B, T]
        NDArray pos = positions.reshape(-1).oneHot(maxPositions, DataType.FLOAT32).matMul(positionEmbedding)
                .reshape(batch, len, hidden);
        NDArray h = inputsEmbeds.add(pos); // [B, T, H]
        NDArray q = h.matMul(wq);
        NDArray k = h.matMul(wk);
        NDArray v = h.matMul(wv);
        if (cache != null) {
            ToyCache c = (ToyCache) cache;
            k = c.append(c.keys, k, true);
            v = c.append(c.values, v, false);
        }
        long[] mask = attentionMask.toType(DataType.INT64, false).toLongArray();
        float[] bias = new float[(int) (batch * len * total)];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                for (int j = 0; j < total; j++) {
                    boolean allowed = j <= past + t && mask[(int) (b * total + j)] != 0;
                    bias[(int) ((b * len + t) * total + j)] = allowed ? 0f : -1e9f;
                }
            }
        }
        NDArray scores = q.matMul(k.transpose(0, 2, 1)).div((float) Math.sqrt(hidden))
                .add(m.create(bias, new Shape(batch, len, total)));
        NDArray out = scores.softmax(2).matMul(v).matMul(wo).add(h).tanh();
        return out.matMul(lmHead); // [B, T, V]
    }

    @Override
    public KvCache newCache() {
        return new ToyCache();
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    private static final class ToyCache implements KvCache {
        private NDManager manager;
        private NDArray keys;
        private NDArray values;

        NDArray append(NDArray old, NDArray fresh, boolean isKey) {
            NDArray merged;
            if (old == null) {
                manager = fresh.getManager();
                merged = fresh;
            } else {
                merged = old.concat(fresh, 1);
                merged.attach(manager);
                old.close();
            }
            if (isKey) {
                keys = merged;
            } else {
                values = merged;
            }
            return merged;
        }

        @Override
        public long length() {
            return keys == null ? 0 : keys.getShape().get(1);
        }

        @Override
        public void reorder(NDArray rowIndices) {
            if (keys == null) {
                return;
            }
            NDArray k = keys.get(new NDIndex("{}", rowIndices));
            NDArray v = values.get(new NDIndex("{}", rowIndices));
            k.attach(manager);
            v.attach(manager);
            keys.close();
            values.close();
            keys = k;
            values = v;
        }

        @Override
        public void close() {
            if (keys != null) {
                keys.close();
                values.close();
                keys = null;
                values = null;
            }
        }
    }
}
