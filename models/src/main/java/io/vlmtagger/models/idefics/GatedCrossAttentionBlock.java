package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.List;

/**
 * One Flamingo gated cross-attention block ({@code gated_cross_attn_layers.i.}), run in front of
 * a text layer; its weights in {@code idefics.ts}'s order:
 *
 * <pre>
 * a = o(softmax(qn(q(rms1(x))) kn(k(img))^T / sqrt(d) + imageMask) v(img)), zeroed where the token attends no image
 * x = x + tanh(alpha_cross_attn) * a
 * x = x + tanh(alpha_dense) * mlp(rms2(x))          (every position, gate or not)
 * </pre>
 *
 * No rotary embedding and no growing cache: the image keys and values depend on the image states
 * only, so a request computes them once and reuses them at every step. {@code alpha_*} are
 * {@code [1]} ({@code alpha_type float}) or {@code [1, 1, hidden]} ({@code vector}); tanh is
 * applied once at load. The MLP is Llama's (gate and up fused).
 */
public final class GatedCrossAttentionBlock {
    private final List<NDArray> weights;

    /**
     * @param w weights prefixed to {@code model.gated_cross_attn_layers.i.}
     * @param imageDim width of the image states (the vision {@code embed_dim})
     */
    public GatedCrossAttentionBlock(Weights w, IdeficsConfig config, int imageDim) {
        LlamaConfig text = config.text();
        int h = text.hiddenSize();
        int d = text.headDim();
        long ff = text.intermediateSize();
        Weights a = w.sub("cross_attn.");
        long[] gateShape = config.alphaType().equals("vector") ? new long[] {1, 1, h} : new long[] {1};
        NDArray attnGate = w.get("alpha_cross_attn", gateShape).tanh();
        NDArray denseGate = w.get("alpha_dense", gateShape).tanh();
        attnGate.attach(w.manager());
        denseGate.attach(w.manager());
        NDArray gateUp = Weights.fuse(w.take("mlp.gate_proj.weight", ff, h), w.take("mlp.up_proj.weight", ff, h));
        this.weights = List.of(
                w.get("input_layernorm.weight", h),
                a.get("q_proj.weight", h, h),
                a.get("o_proj.weight", h, h),
                config.qkLayerNorms() ? a.get("q_layer_norm.weight", d) : w.ones(d),
                a.get("k_proj.weight", h, imageDim),
                a.get("v_proj.weight", h, imageDim),
                config.qkLayerNorms() ? a.get("k_layer_norm.weight", d) : w.ones(d),
                w.get("post_attention_layernorm.weight", h),
                gateUp,
                w.get("mlp.down_proj.weight", h, ff),
                attnGate,
                denseGate);
    }

    /** The 12 arrays of this block, in {@code idefics.ts}'s order. */
    public List<NDArray> weights() {
        return weights;
    }
}
