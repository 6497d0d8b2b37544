package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.List;

/**
 * {@code vision_model.encoder.layers.N}: a pre-LN transformer block's weights in {@code vit.ts}'s
 * order. Attention has one fused {@code self_attn.qkv} projection (rows q;k;v, heads contiguous in
 * each) whose bias is either stored as {@code qkv.bias} or as separate {@code q_bias}/{@code v_bias}
 * with a zero key bias.
 */
final class Blip2VisionLayer {
    private final List<NDArray> weights;

    Blip2VisionLayer(Weights w, Blip2VisionConfig c) {
        int d = c.hiddenSize();
        int f = c.intermediateSize();
        Weights attn = w.sub("self_attn.");
        this.weights = List.of(
                w.get("layer_norm1.weight", d), w.get("layer_norm1.bias", d),
                attn.get("qkv.weight", 3L * d, d), qkvBias(attn, d, c.qkvBias()),
                attn.get("projection.weight", d, d), attn.get("projection.bias", d),
                w.get("layer_norm2.weight", d), w.get("layer_norm2.bias", d),
                w.get("mlp.fc1.weight", f, d), w.get("mlp.fc1.bias", f),
                w.get("mlp.fc2.weight", d, f), w.get("mlp.fc2.bias", d));
    }

    /** The 12 arrays of this layer, in {@code vit_layer}'s order. */
    List<NDArray> weights() {
        return weights;
    }

    /** The fused bias [3D]: stored {@code qkv.bias}, else {@code cat(q_bias, 0, v_bias)}, else zeros. */
    private static NDArray qkvBias(Weights attn, int d, boolean qkvBiasEnabled) {
        if (attn.contains("qkv.bias")) {
            return attn.get("qkv.bias", 3L * d);
        }
        if (!qkvBiasEnabled) {
            return attn.zeros(3L * d);
        }
        // [3D], in the model's manager like q
        return Weights.fuse(attn.take("q_bias", d), attn.zeros(d), attn.take("v_bias", d));
    }
}
