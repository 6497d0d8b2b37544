package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;

/**
 * Small helpers the training forwards share: parameters as {@code nn/} modules, patch embedding,
 * attention, and the masked cross-entropy. Every result lives in the manager of the per-step input
 * (never in the parameters' manager), so closing the step's manager frees the step.
 */
public final class TrainBlocks {
    /** Token embedding tables (as transformers' initializer_range). */
    static final float INIT_STD = 0.02f;
    /** Position and class embeddings of the vision towers. */
    static final float POSITION_STD = 0.2f;

    /**
     * Standard deviation of a weight with {@code fanIn} inputs: {@code 1/sqrt(fanIn)}. Not
     * transformers' 0.02: at width 64 that shrinks every branch by {@code 0.02 * sqrt(64) = 0.16},
     * and the image signal, several linear layers deep, reaches the language model too weak to
     * learn from in a few thousand steps.
     */
    public static float fanInStd(long fanIn) {
        return (float) (1 / Math.sqrt(fanIn));
    }

    private TrainBlocks() {}

    public static Linear linear(ParameterSet p, String prefix, long out, long in, boolean bias) {
        return new Linear(p.normal(prefix + "weight", fanInStd(in), out, in), bias ? p.zeros(prefix + "bias", out) : null);
    }

    static LayerNorm layerNorm(ParameterSet p, String prefix, long dim, double eps) {
        return new LayerNorm(p.ones(prefix + "weight", dim), p.zeros(prefix + "bias", dim), (float) eps);
    }

    /** {@code [B, 3, H, W] -> [B, N, D]} with a stride-{@code patch} convolution. */
    static NDArray patchEmbed(NDArray pixels, NDArray weight, NDArray bias, int patch) {
        NDArray conv = Conv2d.conv2d(pixels, weight, bias, new Shape(patch, patch), new Shape(0, 0), new Shape(1, 1))
                .singletonOrThrow(); // [B, D, H/p, W/p]
        long b = conv.getShape().get(0);
        long d = conv.getShape().get(1);
        long n = conv.getShape().get(2) * conv.getShape().get(3);
        return conv.reshape(b, d, n).transpose(0, 2, 1); // [B, N, D]
    }

    /** {@code param} broadcast into a fresh array of {@code shape} in {@code manager} (gradients flow to it). */
    static NDArray broadcastInto(NDManager manager, NDArray param, Shape shape) {
        return manager.zeros(shape, DataType.FLOAT32).add(param);
    }

    /** Multi-head attention of {@code q [B, Tq, D]} over {@code k, v [B, Tk, D]} with an additive mask or null. */
    static NDArray attend(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long headDim = q.getShape().get(2) / heads;
        NDArray out = Attention.attend(Attention.splitHeads(q, heads), Attention.splitHeads(k, heads),
                Attention.splitHeads(v, heads), mask, (float) (1 / Math.sqrt(headDim)));
        return Attention.mergeHeads(out);
    }

    /**
     * Mean cross-entropy of {@code logits [B, T, V]} against {@code targets [B, T]} over the positions
     * where {@code weights [B, T]} is 1.
     */
    public static NDArray crossEntropy(NDArray logits, long[] targets, float[] weights) {
        NDManager m = logits.getManager();
        long b = logits.getShape().get(0);
        long t = logits.getShape().get(1);
        int v = (int) logits.getShape().get(2);
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray oneHot = m.create(targets, new Shape(b, t)).oneHot(v).toType(DataType.FLOAT32, false);
        NDArray w = m.create(weights, new Shape(b, t));
        NDArray picked = logProbs.mul(oneHot).sum(new int[] {2}); // [B, T]
        float count = 0;
        for (float x : weights) {
            count += x;
        }
        return picked.mul(w).sum().neg().div(Math.max(count, 1f));
    }
}
