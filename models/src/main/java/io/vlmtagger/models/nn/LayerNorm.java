package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.weights.Weights;

/** {@code torch.nn.LayerNorm} over the last dimension, with {@code weight}/{@code bias} [dim]. */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final float eps;
    private final Shape normalizedShape;

    public LayerNorm(NDArray weight, NDArray bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.normalizedShape = new Shape(weight.getShape().get(0));
    }

    /** Loads {@code weight} and {@code bias} [dim] from {@code w} (prefixed to the module). */
    public static LayerNorm load(Weights w, long dim, float eps) {
        return new LayerNorm(w.get("weight", dim), w.get("bias", dim), eps);
    }

    /**
     * A LayerNorm without parameters ({@code elementwise_affine=False}): weight 1 and bias 0, held
     * in the model-level manager of {@code w}.
     */
    public static LayerNorm nonAffine(Weights w, long dim, float eps) {
        return new LayerNorm(w.manager().ones(new Shape(dim), w.dataType()),
                w.manager().zeros(new Shape(dim), w.dataType()), eps);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, normalizedShape, weight, bias, eps).singletonOrThrow();
    }
}
