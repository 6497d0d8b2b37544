package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/** {@code vision_model}: embeddings, pre-LN encoder layers, then {@code post_layernorm} on every token. */
final class Blip2VisionModel {
    private final Blip2VisionEmbeddings embeddings;
    private final List<Blip2VisionLayer> layers = new ArrayList<>();
    private final LayerNorm postLayerNorm;

    Blip2VisionModel(Weights w, Blip2VisionConfig c) {
        this.embeddings = new Blip2VisionEmbeddings(w.sub("embeddings."), c);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new Blip2VisionLayer(w.sub("encoder.layers." + i + "."), c));
        }
        this.postLayerNorm = LayerNorm.load(w.sub("post_layernorm."), c.hiddenSize(), (float) c.layerNormEps());
    }

    /** {@code [B, C, H, W] -> [B, 1 + N, D]}: the encoder input (hidden_states[0]). */
    NDArray embeddings(NDArray pixelValues) {
        return embeddings.forward(pixelValues);
    }

    /** Encoder layers and post_layernorm over {@link #embeddings}' output: {@code last_hidden_state}. */
    NDArray encode(NDArray embedded) {
        NDArray h = embedded;
        for (Blip2VisionLayer layer : layers) {
            h = CallScope.apply(h, layer::forward);
        }
        return postLayerNorm.forward(h);
    }
}
