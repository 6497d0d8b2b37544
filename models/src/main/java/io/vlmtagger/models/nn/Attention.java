package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention, eager style (as transformers' "eager" implementation):
 * {@code softmax(scale * q k^T + mask) v}, the softmax in float32.
 */
public final class Attention {
    private Attention() {}

    /** {@code [B, T, heads * d] -> [B, heads, T, d]}. */
    public static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    /** {@code [B, heads, T, d] -> [B, T, heads * d]}. */
    public static NDArray mergeHeads(NDArray x) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(1);
        long t = x.getShape().get(2);
        long d = x.getShape().get(3);
        return x.transpose(0, 2, 1, 3).reshape(b, t, h * d);
    }

    /**
     * @param q {@code [B, h, Tq, d]}
     * @param k {@code [B, h, Tk, d]}
     * @param v {@code [B, h, Tk, d]}
     * @param mask additive mask broadcastable to {@code [B, h, Tq, Tk]} (see {@link Masks}), or null
     * @param scoreScale multiplies {@code q k^T} (use 1 when q is already scaled)
     * @return {@code [B, h, Tq, d]}
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, float scoreScale) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, h, Tq, Tk]
        if (scoreScale != 1f) {
            scores = scores.mul(scoreScale);
        }
        if (mask != null) {
            // clamp as OPT does, so that score + min never overflows to -inf
            scores = scores.add(mask).maximum(Masks.minValue(scores.getDataType()));
        }
        DataType type = scores.getDataType();
        NDArray probs = type == DataType.FLOAT32
                ? scores.softmax(-1)
                : scores.toType(DataType.FLOAT32, false).softmax(-1).toType(type, false);
        return probs.matMul(v);
    }
}
