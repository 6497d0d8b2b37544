package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code qformer.encoder.layer.N.attention} or {@code .crossattention}: BERT attention
 * ({@code attention.{query,key,value}}) followed by the post-LN output block
 * ({@code output.dense}, {@code output.LayerNorm(dense + input)}). For cross-attention, key and
 * value map from the vision encoder's width.
 */
final class QFormerAttention {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear dense;
    private final LayerNorm layerNorm;
    private final int heads;
    private final float scale;

    QFormerAttention(Weights w, QFormerConfig c, boolean cross) {
        int d = c.hiddenSize();
        int kvIn = cross ? c.encoderHiddenSize() : d;
        this.query = Linear.load(w.sub("attention.query."), d, d);
        this.key = Linear.load(w.sub("attention.key."), d, kvIn);
        this.value = Linear.load(w.sub("attention.value."), d, kvIn);
        this.dense = Linear.load(w.sub("output.dense."), d, d);
        this.layerNorm = LayerNorm.load(w.sub("output.LayerNorm."), d, (float) c.layerNormEps());
        this.heads = c.numAttentionHeads();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /**
     * @param hidden {@code [B, Q, D]} query-token states
     * @param keyValueSource {@code hidden} itself (self-attention) or the vision states {@code [B, N, Dv]}
     * @return {@code [B, Q, D]}
     */
    NDArray forward(NDArray hidden, NDArray keyValueSource) {
        NDArray q = Attention.splitHeads(query.forward(hidden), heads);
        NDArray k = Attention.splitHeads(key.forward(keyValueSource), heads);
        NDArray v = Attention.splitHeads(value.forward(keyValueSource), heads);
        NDArray context = Attention.mergeHeads(Attention.attend(q, k, v, null, scale));
        return layerNorm.forward(dense.forward(context).add(hidden));
    }
}
