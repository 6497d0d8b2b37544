package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code qformer.encoder.layer.N} for query tokens only: self-attention, cross-attention to the
 * image (only on layers with {@code N % cross_attention_frequency == 0}), then the query
 * feed-forward {@code intermediate_query} / {@code output_query} (post-LN). The text-branch
 * {@code intermediate}/{@code output} weights are not used for query-only input.
 */
final class QFormerLayer {
    private final QFormerAttention selfAttention;
    private final QFormerAttention crossAttention;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm outputLayerNorm;
    private final Activation act;

    QFormerLayer(Weights w, QFormerConfig c, int index) {
        int d = c.hiddenSize();
        this.selfAttention = new QFormerAttention(w.sub("attention."), c, false);
        this.crossAttention = c.hasCrossAttention(index) ? new QFormerAttention(w.sub("crossattention."), c, true) : null;
        this.intermediate = Linear.load(w.sub("intermediate_query.dense."), c.intermediateSize(), d);
        this.output = Linear.load(w.sub("output_query.dense."), d, c.intermediateSize());
        this.outputLayerNorm = LayerNorm.load(w.sub("output_query.LayerNorm."), d, (float) c.layerNormEps());
        this.act = Activation.fromConfig(c.hiddenAct());
    }

    /** {@code queries [B, Q, D]}, {@code image [B, N, Dv]} -> {@code [B, Q, D]}. */
    NDArray forward(NDArray queries, NDArray image) {
        NDArray h = selfAttention.forward(queries, queries);
        if (crossAttention != null) {
            h = crossAttention.forward(h, image);
        }
        NDArray ffn = output.forward(act.apply(intermediate.forward(h)));
        return outputLayerNorm.forward(ffn.add(h));
    }
}
