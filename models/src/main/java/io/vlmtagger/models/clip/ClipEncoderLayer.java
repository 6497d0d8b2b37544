package io.vlmtagger.models.clip;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.List;

/**
 * One pre-LN CLIP encoder layer ({@code encoder.layers.N.}): {@code x + attn(ln1(x))}, then
 * {@code x + fc2(act(fc1(ln2(x))))}, bidirectional attention scaled by {@code head_dim^-0.5}. Its
 * weights in {@code vit.ts}'s order, the separate q/k/v projections fused into one matrix (freed
 * once fused).
 */
public final class ClipEncoderLayer {
    private final List<NDArray> weights;

    /** @param w weights prefixed to {@code ...encoder.layers.N.} */
    public ClipEncoderLayer(Weights w, ClipVisionConfig config) {
        int h = config.hiddenSize();
        int ff = config.intermediateSize();
        Weights attn = w.sub("self_attn.");
        this.weights = List.of(
                w.get("layer_norm1.weight", h), w.get("layer_norm1.bias", h),
                fuse(attn, "weight", h, h), fuse(attn, "bias", h),
                attn.get("out_proj.weight", h, h), attn.get("out_proj.bias", h),
                w.get("layer_norm2.weight", h), w.get("layer_norm2.bias", h),
                w.get("mlp.fc1.weight", ff, h), w.get("mlp.fc1.bias", ff),
                w.get("mlp.fc2.weight", h, ff), w.get("mlp.fc2.bias", h));
    }

    /** The 12 arrays of this layer, in {@code vit_layer}'s order. */
    public List<NDArray> weights() {
        return weights;
    }

    private static NDArray fuse(Weights attn, String kind, long... shape) {
        return Weights.fuse(attn.take("q_proj." + kind, shape), attn.take("k_proj." + kind, shape),
                attn.take("v_proj." + kind, shape));
    }
}
