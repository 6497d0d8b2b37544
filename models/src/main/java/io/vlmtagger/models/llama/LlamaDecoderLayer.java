package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.RmsNorm;
import io.vlmtagger.models.weights.Weights;

/**
 * One Llama block ({@code layers.N.}): {@code x + attn(rms1(x))}, then {@code x + mlp(rms2(x))}.
 * Public and composable so that other decoders (IDEFICS's gated cross-attention stack) can
 * interleave their own layers with these.
 */
public final class LlamaDecoderLayer {
    private final int index;
    private final RmsNorm inputLayerNorm;
    private final LlamaAttention selfAttn;
    private final RmsNorm postAttentionLayerNorm;
    private final LlamaMlp mlp;

    /**
     * @param w weights prefixed to {@code ...layers.N.}
     * @param index N, the slot of this layer in a {@link LayerKvCache}
     */
    public LlamaDecoderLayer(Weights w, LlamaConfig config, int index) {
        this.index = index;
        float eps = (float) config.rmsNormEps();
        this.inputLayerNorm = RmsNorm.load(w.sub("input_layernorm."), config.hiddenSize(), eps);
        this.selfAttn = new LlamaAttention(w.sub("self_attn."), config);
        this.postAttentionLayerNorm = RmsNorm.load(w.sub("post_attention_layernorm."), config.hiddenSize(), eps);
        this.mlp = new LlamaMlp(w.sub("mlp."), config);
    }

    public int index() {
        return index;
    }

    /** {@code [B, T, hidden] -> [B, T, hidden]}; see {@link LlamaAttention#forward} for the arguments. */
    public NDArray forward(NDArray x, NDList cosSin, NDArray mask, LayerKvCache cache) {
        NDArray h = x.add(selfAttn.forward(inputLayerNorm.forward(x), cosSin, mask, cache, index));
        return h.add(mlp.forward(postAttentionLayerNorm.forward(h)));
    }
}
