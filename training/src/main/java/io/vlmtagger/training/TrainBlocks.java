package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.nn.Linear;

/**
 * What the trainers add to the serving models: linear heads of the auxiliary probes, the
 * initialisation scale of linear weights, and the masked cross-entropy. Every result lives in the
 * manager of the per-step input (never in the parameters' manager), so closing the step's manager
 * frees the step.
 */
public final class TrainBlocks {
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

    /** {@code prefix}weight N(0, 1/sqrt(in)) and, with {@code bias}, {@code prefix}bias 0, as a {@link Linear}. */
    public static Linear linear(ParameterSet p, String prefix, long out, long in, boolean bias) {
        return new Linear(p.normal(prefix + "weight", fanInStd(in), out, in), bias ? p.zeros(prefix + "bias", out) : null);
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
