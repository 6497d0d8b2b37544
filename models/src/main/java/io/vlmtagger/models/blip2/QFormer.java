package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.kernels.TensorList;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qformer} plus the learned {@code query_tokens}: {@code layernorm} on the query tokens
 * (no position embedding for query-only input), then the layers, cross-attending to the image;
 * the whole of it is {@code qformer.ts}'s {@code qformer} (one kernel call).
 */
final class QFormer implements AutoCloseable {
    private final Kernels kernels;
    private final TensorList weights;
    private final long[] cfg;
    private final double[] fcfg;

    /**
     * @param root the checkpoint root (for {@code query_tokens})
     * @param w weights under {@code qformer.}
     */
    QFormer(Weights root, Weights w, QFormerConfig c, int numQueryTokens, Kernels kernels) {
        int hidden = c.hiddenSize();
        List<NDArray> list = new ArrayList<>();
        list.add(w.get("layernorm.weight", hidden));
        list.add(w.get("layernorm.bias", hidden));
        list.add(root.get("query_tokens", 1, numQueryTokens, hidden));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            list.addAll(new QFormerLayer(w.sub("encoder.layer." + i + "."), c, i).weights());
        }
        this.kernels = kernels;
        this.weights = kernels.list(list);
        this.cfg = new long[] {
            c.numHiddenLayers(), c.numAttentionHeads(), c.crossAttentionFrequency(),
            Activation.fromConfig(c.hiddenAct()).kernelCode()
        };
        this.fcfg = new double[] {c.layerNormEps()};
    }

    /** {@code image [B, N, Dv]} (vision last_hidden_state) -> {@code [B, Q, D]} (Q-Former last_hidden_state). */
    NDArray forward(NDArray image) {
        return kernels.call("qformer").tensor(image).list(weights).ints(cfg).floats(fcfg).run(image.getManager());
    }

    @Override
    public void close() {
        weights.close();
    }
}
