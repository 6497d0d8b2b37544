package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Additive attention masks with a FINITE large negative value ({@code finfo(float32).min}, as
 * transformers uses) at disallowed keys, never {@code -inf}: a fully masked row then softmaxes to
 * a uniform (finite) distribution instead of NaN.
 */
public final class Masks {
    /** {@code torch.finfo(torch.float32).min}. */
    public static final float FLOAT32_MIN = -Float.MAX_VALUE;

    private Masks() {}

    /** The most negative finite value of {@code type} (float32/float16/bfloat16). */
    public static float minValue(DataType type) {
        return switch (type) {
            case FLOAT16 -> -65504f;
            case BFLOAT16 -> -3.3895314e38f;
            default -> FLOAT32_MIN;
        };
    }

    /**
     * Causal + padding mask for {@code newLength} new queries that follow {@code P = S - newLength}
     * cached positions: query {@code i} may see key {@code j} iff {@code j <= P + i} and
     * {@code attentionMask[b, j] == 1}.
     *
     * @param attentionMask {@code [B, S]} int64 (1 = real token, 0 = padding)
     * @return {@code [B, 1, newLength, S]} additive mask in {@code type}, in the mask's manager
     */
    public static NDArray causal(NDArray attentionMask, long newLength, DataType type) {
        NDManager m = attentionMask.getManager();
        long batch = attentionMask.getShape().get(0);
        long total = attentionMask.getShape().get(1);
        long past = total - newLength;
        NDArray keys = m.arange(0, (int) total, 1, DataType.INT64).reshape(1, total); // [1, S]
        NDArray queries = m.arange((int) past, (int) total, 1, DataType.INT64).reshape(newLength, 1); // [T, 1]
        NDArray causal = keys.lte(queries).reshape(1, 1, newLength, total); // [1, 1, T, S]
        NDArray padding = attentionMask.eq(1).reshape(batch, 1, 1, total); // [B, 1, 1, S]
        NDArray allowed = causal.logicalAnd(padding); // [B, 1, T, S]
        return additive(allowed, type);
    }

    /**
     * Padding-only mask (bidirectional attention).
     *
     * @param attentionMask {@code [B, S]} int64
     * @return {@code [B, 1, 1, S]} additive mask in {@code type}
     */
    public static NDArray padding(NDArray attentionMask, DataType type) {
        long batch = attentionMask.getShape().get(0);
        long total = attentionMask.getShape().get(1);
        return additive(attentionMask.eq(1).reshape(batch, 1, 1, total), type);
    }

    /** 0 where {@code allowed}, {@link #minValue} elsewhere (same shape as {@code allowed}). */
    public static NDArray additive(NDArray allowed, DataType type) {
        // (1 - allowed) * min, computed in float32 so that min stays finite before the cast
        NDArray blocked = allowed.logicalNot().toType(DataType.FLOAT32, false);
        NDArray mask = blocked.mul(minValue(type));
        return type == DataType.FLOAT32 ? mask : mask.toType(type, false);
    }
}
