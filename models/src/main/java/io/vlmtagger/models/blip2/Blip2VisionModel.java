package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.kernels.VitStack;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vision_model}: embeddings, pre-LN encoder layers ({@code vit.ts}, one kernel call for the
 * stack), then {@code post_layernorm} on every token.
 */
final class Blip2VisionModel implements AutoCloseable {
    private final Blip2VisionEmbeddings embeddings;
    private final VitStack layers;
    private final LayerNorm postLayerNorm;

    Blip2VisionModel(Weights w, Blip2VisionConfig c, Kernels kernels) {
        this.embeddings = new Blip2VisionEmbeddings(w.sub("embeddings."), c);
        List<List<NDArray>> layerWeights = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layerWeights.add(new Blip2VisionLayer(w.sub("encoder.layers." + i + "."), c).weights());
        }
        this.layers = new VitStack(kernels, layerWeights, c.numAttentionHeads(),
                Activation.fromConfig(c.hiddenAct()).kernelCode(), c.layerNormEps());
        this.postLayerNorm = LayerNorm.load(w.sub("post_layernorm."), c.hiddenSize(), (float) c.layerNormEps());
    }

    /** {@code [B, C, H, W] -> [B, 1 + N, D]}: the encoder input (hidden_states[0]). */
    NDArray embeddings(NDArray pixelValues) {
        return embeddings.forward(pixelValues);
    }

    /** Encoder layers and post_layernorm over {@link #embeddings}' output: {@code last_hidden_state}. */
    NDArray encode(NDArray embedded) {
        NDArray h = layers.forward(embedded, 0, layers.layers());
        NDArray out = postLayerNorm.forward(h);
        if (h != embedded) {
            h.close();
        }
        return out;
    }

    @Override
    public void close() {
        layers.close();
    }
}
