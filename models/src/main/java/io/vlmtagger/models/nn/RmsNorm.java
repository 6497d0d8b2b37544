package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.weights.Weights;

/**
 * Llama's RMSNorm: {@code w * (x * rsqrt(mean(x^2) + eps))}, the normalisation computed in float32
 * and cast back to the input dtype before the weight multiplies, as transformers does.
 */
public final class RmsNorm {
    private final NDArray weight;
    private final float eps;

    public RmsNorm(NDArray weight, float eps) {
        this.weight = weight;
        this.eps = eps;
    }

    /** Loads {@code weight} [dim] from {@code w} (prefixed to the module). */
    public static RmsNorm load(Weights w, long dim, float eps) {
        return new RmsNorm(w.get("weight", dim), eps);
    }

    public NDArray forward(NDArray x) {
        DataType inputType = x.getDataType();
        NDArray x32 = inputType == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normed = x32.div(variance.add(eps).sqrt());
        NDArray cast = inputType == DataType.FLOAT32 ? normed : normed.toType(inputType, false);
        return cast.mul(weight);
    }
}
