package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding of the "rotate_half" (non-interleaved) kind, as Llama uses:
 * {@code x * cos + rotate_half(x) * sin}, frequencies {@code theta^(-2i/d)}, angles in float32.
 */
public final class Rotary {
    private final int headDim;
    private final float[] invFreq;

    public Rotary(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head dim must be even, got " + headDim);
        }
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
    }

    /**
     * cos and sin for the given positions.
     *
     * @param positionIds {@code [B, T]} int64
     * @return {@code [cos, sin]}, each {@code [B, 1, T, headDim]} in {@code type}, in the positions' manager
     */
    public NDList cosSin(NDArray positionIds, DataType type) {
        NDManager m = positionIds.getManager();
        long b = positionIds.getShape().get(0);
        long t = positionIds.getShape().get(1);
        NDArray inv = m.create(invFreq, new Shape(1, 1, invFreq.length));
        NDArray freqs = positionIds.toType(DataType.FLOAT32, false).reshape(b, t, 1).mul(inv); // [B, T, d/2]
        NDArray emb = freqs.concat(freqs, -1).reshape(b, 1, t, headDim); // [B, 1, T, d]
        NDArray cos = emb.cos();
        NDArray sin = emb.sin();
        if (type != DataType.FLOAT32) {
            cos = cos.toType(type, false);
            sin = sin.toType(type, false);
        }
        return new NDList(cos, sin);
    }

    /** Applies the rotation to {@code x [B, h, T, headDim]} with {@link #cosSin}'s arrays. */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(rotateHalf(x).mul(sin));
    }

    /** {@code [x1, x2] -> [-x2, x1]} on the last dimension. */
    static NDArray rotateHalf(NDArray x) {
        long half = x.getShape().getLastDimension() / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        return x2.neg().concat(x1, -1);
    }

    /** {@code theta^(-2i/d)} for {@code i < d/2}, as float32 (the kernels' rotary input). */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    public int headDim() {
        return headDim;
    }
}
