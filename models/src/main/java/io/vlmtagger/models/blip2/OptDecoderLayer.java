package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.List;

/**
 * {@code language_model.model.decoder.layers.N}: an OPT block's weights, in the order {@code
 * opt.ts}'s {@code opt_layer} reads them. Pre-LN when {@code do_layer_norm_before} (else post-LN),
 * ReLU (or the configured activation) feed-forward. The q/k/v projections are fused into one
 * {@code [3D, D]} matrix at load time, q's rows (and bias) pre-multiplied by {@code head_dim^-0.5}
 * (transformers scales q after its projection); missing biases ({@code enable_bias=False}) are zeros.
 */
final class OptDecoderLayer {
    private final List<NDArray> weights;

    OptDecoderLayer(Weights w, OptConfig c) {
        int d = c.hiddenSize();
        boolean bias = c.enableBias();
        float scaling = (float) Math.pow(c.headDim(), -0.5);
        Weights attn = w.sub("self_attn.");
        NDArray[] ln1 = layerNorm(w.sub("self_attn_layer_norm."), c);
        NDArray[] ln2 = layerNorm(w.sub("final_layer_norm."), c);
        this.weights = List.of(ln1[0], ln1[1],
                fuse(attn, "weight", scaling, d, d), bias ? fuse(attn, "bias", scaling, d) : w.zeros(3L * d),
                attn.get("out_proj.weight", d, d), bias(attn.sub("out_proj."), bias, d),
                ln2[0], ln2[1],
                w.get("fc1.weight", c.ffnDim(), d), bias(w.sub("fc1."), bias, c.ffnDim()),
                w.get("fc2.weight", d, c.ffnDim()), bias(w.sub("fc2."), bias, d));
    }

    /** The 12 arrays of this layer, in {@code opt_layer}'s order. */
    List<NDArray> weights() {
        return weights;
    }

    /** {@code cat(q_proj.<kind> * scaling, k_proj.<kind>, v_proj.<kind>)} along the rows; the parts are freed. */
    private static NDArray fuse(Weights attn, String kind, float scaling, long... shape) {
        NDArray q = attn.take("q_proj." + kind, shape);
        NDArray qScaled = q.mul(scaling);
        q.close();
        return Weights.fuse(qScaled, attn.take("k_proj." + kind, shape), attn.take("v_proj." + kind, shape));
    }

    static NDArray[] layerNorm(Weights w, OptConfig c) {
        if (c.layerNormElementwiseAffine()) {
            return new NDArray[] {w.get("weight", c.hiddenSize()), w.get("bias", c.hiddenSize())};
        }
        return new NDArray[] {
            w.ones(c.hiddenSize()), w.zeros(c.hiddenSize())
        };
    }

    private static NDArray bias(Weights w, boolean present, long size) {
        return present ? w.get("bias", size) : w.zeros(size);
    }
}
