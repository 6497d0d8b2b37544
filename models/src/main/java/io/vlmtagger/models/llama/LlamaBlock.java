package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.List;

/**
 * {@code layers.N.}: one Llama block's weights in the order {@code llama.ts}'s {@code llama_layer}
 * reads them: {@code input_layernorm}, the q/k/v projections fused into one matrix (rows q; k; v)
 * and its bias (zeros without {@code attention_bias}), {@code o_proj} and bias, {@code
 * post_attention_layernorm}, {@code gate_proj} and {@code up_proj} fused (rows gate; up),
 * {@code down_proj}. The separate projections are freed once fused.
 */
public final class LlamaBlock {
    private final List<NDArray> weights;

    /** @param w weights prefixed to {@code ...layers.N.} */
    public LlamaBlock(Weights w, LlamaConfig c) {
        int h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long ff = c.intermediateSize();
        Weights attn = w.sub("self_attn.");
        NDArray qkvBias = c.attentionBias()
                ? Weights.fuse(attn.take("q_proj.bias", q), attn.take("k_proj.bias", kv), attn.take("v_proj.bias", kv))
                : w.zeros(q + 2 * kv);
        this.weights = List.of(
                w.get("input_layernorm.weight", h),
                Weights.fuse(attn.take("q_proj.weight", q, h), attn.take("k_proj.weight", kv, h), attn.take("v_proj.weight", kv, h)),
                qkvBias,
                attn.get("o_proj.weight", h, q),
                c.attentionBias() ? attn.get("o_proj.bias", h) : w.zeros(h),
                w.get("post_attention_layernorm.weight", h),
                Weights.fuse(w.take("mlp.gate_proj.weight", ff, h), w.take("mlp.up_proj.weight", ff, h)),
                w.get("mlp.down_proj.weight", h, ff));
    }

    /** The 8 arrays of this block, in {@code llama_layer}'s order. */
    public List<NDArray> weights() {
        return weights;
    }
}
