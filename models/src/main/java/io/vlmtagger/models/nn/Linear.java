package io.vlmtagger.models.nn;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code y = x W^T + b} with a PyTorch-layout weight {@code [out, in]} and an optional bias
 * {@code [out]} (one fused {@code torch.linear}). The result lives in the manager of {@code x}.
 */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    /** @param bias {@code [out]}, or null for none */
    public Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code weight} [out, in] and {@code bias} [out] from {@code w} (prefixed to the module, e.g. "fc1."). */
    public static Linear load(Weights w, long outFeatures, long inFeatures) {
        return new Linear(w.get("weight", outFeatures, inFeatures), w.get("bias", outFeatures));
    }

    /** Loads a Linear that has no bias ({@code bias=False} in the reference code). */
    public static Linear loadNoBias(Weights w, long outFeatures, long inFeatures) {
        return new Linear(w.get("weight", outFeatures, inFeatures), null);
    }

    /** Loads a Linear whose bias is present or not depending on the checkpoint/config. */
    public static Linear load(Weights w, long outFeatures, long inFeatures, boolean withBias) {
        return withBias ? load(w, outFeatures, inFeatures) : loadNoBias(w, outFeatures, inFeatures);
    }

    /** {@code x [..., in] -> [..., out]}. */
    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }
}
