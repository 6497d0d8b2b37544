package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qformer} plus the learned {@code query_tokens}: {@code layernorm} on the query tokens
 * (no position embedding for query-only input), then the layers, cross-attending to the image.
 */
final class QFormer {
    private final NDArray queryTokens;
    private final LayerNorm layerNorm;
    private final List<QFormerLayer> layers = new ArrayList<>();
    private final int numQueries;
    private final int hidden;

    /**
     * @param root the checkpoint root (for {@code query_tokens})
     * @param w weights under {@code qformer.}
     */
    QFormer(Weights root, Weights w, QFormerConfig c, int numQueryTokens) {
        this.hidden = c.hiddenSize();
        this.numQueries = numQueryTokens;
        this.queryTokens = root.get("query_tokens", 1, numQueryTokens, hidden);
        this.layerNorm = LayerNorm.load(w.sub("layernorm."), hidden, (float) c.layerNormEps());
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new QFormerLayer(w.sub("encoder.layer." + i + "."), c, i));
        }
    }

    /** {@code image [B, N, Dv]} (vision last_hidden_state) -> {@code [B, Q, D]} (Q-Former last_hidden_state). */
    NDArray forward(NDArray image) {
        long b = image.getShape().get(0);
        NDArray queries = image.getManager().zeros(new Shape(b, numQueries, hidden), image.getDataType())
                .add(queryTokens); // [B, Q, D], in the call's manager
        NDArray h = layerNorm.forward(queries);
        for (QFormerLayer layer : layers) {
            h = CallScope.apply(h, x -> layer.forward(x, image));
        }
        return h;
    }
}
