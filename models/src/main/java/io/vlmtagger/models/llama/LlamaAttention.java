package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.Rotary;
import io.vlmtagger.models.weights.Weights;

/**
 * Llama self-attention ({@code self_attn.}): q/k/v/o projections (bias per {@code
 * attention_bias}), rotary embedding on q and k, grouped-query attention (head {@code h} reads kv
 * head {@code h / (heads / kv_heads)}), optional KV cache.
 */
public final class LlamaAttention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;

    /** @param w weights prefixed to {@code ...layers.N.self_attn.} */
    public LlamaAttention(Weights w, LlamaConfig config) {
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        int h = config.hiddenSize();
        boolean bias = config.attentionBias();
        this.qProj = Linear.load(w.sub("q_proj."), (long) heads * headDim, h, bias);
        this.kProj = Linear.load(w.sub("k_proj."), (long) kvHeads * headDim, h, bias);
        this.vProj = Linear.load(w.sub("v_proj."), (long) kvHeads * headDim, h, bias);
        this.oProj = Linear.load(w.sub("o_proj."), h, (long) heads * headDim, bias);
    }

    /**
     * @param x {@code [B, T, hidden]}
     * @param cosSin rotary {@code [cos, sin]} for the T new positions, each {@code [B, 1, T, headDim]}
     * @param mask additive {@code [B, 1, T, P + T]}
     * @param cache the layer cache to extend, or null
     * @param layer this layer's index in {@code cache}
     */
    public NDArray forward(NDArray x, NDList cosSin, NDArray mask, LayerKvCache cache, int layer) {
        NDArray q = Attention.splitHeads(qProj.forward(x), heads); // [B, h, T, d]
        NDArray k = Attention.splitHeads(kProj.forward(x), kvHeads); // [B, kvh, T, d]
        NDArray v = Attention.splitHeads(vProj.forward(x), kvHeads);
        NDArray cos = cosSin.get(0);
        NDArray sin = cosSin.get(1);
        q = Rotary.apply(q, cos, sin);
        k = Rotary.apply(k, cos, sin);
        if (cache != null) {
            NDList kv = cache.append(layer, k, v); // [B, kvh, P + T, d]
            k = kv.get(0);
            v = kv.get(1);
        }
        int groups = heads / kvHeads;
        NDArray out = Attention.attend(q, Attention.repeatKv(k, groups), Attention.repeatKv(v, groups), mask, scale);
        return oProj.forward(Attention.mergeHeads(out)); // [B, T, hidden]
    }
}
