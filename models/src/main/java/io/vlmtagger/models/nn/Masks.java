package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
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
