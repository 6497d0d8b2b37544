package io.vlmtagger.models.clip;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.kernels.KernelModule;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.kernels.VitStack;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP vision transformer ({@code CLIPVisionModel}'s {@code vision_model.}): embeddings,
 * {@code pre_layrnorm} (sic, the checkpoint's spelling), pre-LN encoder layers, {@code
 * post_layernorm}. Reused by LLaVA (a hidden state picked by index, usually -2) and by
 * IDEFICS/Flamingo ({@link #lastHiddenState}, CLS row included, no post layernorm).
 *
 * <p>{@code hidden_states[0]} is the embedding output after {@code pre_layrnorm}; {@code
 * hidden_states[i]} the output of layer {@code i}. Only weights, no per-call state: thread-safe;
 * per-call arrays live in the pixel values' manager.
 */
public final class ClipVisionTower implements AutoCloseable {
    private final ClipVisionConfig config;
    private final ClipVisionEmbeddings embeddings;
    private final LayerNorm preLayerNorm;
    private final Kernels kernels;
    private final VitStack layers;
    private final LayerNorm postLayerNorm;

    /**
     * @param w weights prefixed to the vision model (e.g. {@code vision_tower.vision_model.})
     * @param loadLayers how many encoder layers to load (from the first); users that never read
     *     the last layers (LLaVA with {@code vision_feature_layer = -2}) skip loading them
     */
    public ClipVisionTower(Weights w, ClipVisionConfig config, int loadLayers) {
        if (loadLayers < 0 || loadLayers > config.numHiddenLayers()) {
            throw new IllegalArgumentException("loadLayers must be in [0, " + config.numHiddenLayers() + "], got "
                    + loadLayers);
        }
        this.config = config;
        float eps = (float) config.layerNormEps();
        this.embeddings = new ClipVisionEmbeddings(w.sub("embeddings."), config);
        this.preLayerNorm = LayerNorm.load(w.sub("pre_layrnorm."), config.hiddenSize(), eps);
        List<List<NDArray>> list = new ArrayList<>();
        for (int i = 0; i < loadLayers; i++) {
            list.add(new ClipEncoderLayer(w.sub("encoder.layers." + i + "."), config).weights());
        }
        this.kernels = Kernels.load(w.store().device(), KernelModule.CLIP);
        this.layers = new VitStack(kernels, list, config.numAttentionHeads(),
                Activation.fromConfig(config.hiddenAct()).kernelCode(), config.layerNormEps());
        this.postLayerNorm = w.contains("post_layernorm.weight")
                ? LayerNorm.load(w.sub("post_layernorm."), config.hiddenSize(), eps)
                : null;
    }

    /** A tower with every layer loaded. */
    public ClipVisionTower(Weights w, ClipVisionConfig config) {
        this(w, config, config.numHiddenLayers());
    }

    public ClipVisionConfig config() {
        return config;
    }

    public int loadedLayers() {
        return layers.layers();
    }

    /**
     * Hidden states {@code 0..upToLayer} (so {@code upToLayer + 1} arrays, each {@code [B, 1 +
     * patches, hidden]}); layers after {@code upToLayer} are not run.
     */
    public List<NDArray> hiddenStates(NDArray pixelValues, int upToLayer) {
        if (upToLayer < 0 || upToLayer > layers.layers()) {
            throw new IllegalArgumentException("hidden state " + upToLayer + " needs layers that are not loaded ("
                    + layers.layers() + " of " + config.numHiddenLayers() + " loaded)");
        }
        List<NDArray> states = new ArrayList<>(upToLayer + 1);
        NDArray h = embed(pixelValues);
        states.add(h);
        for (int i = 0; i < upToLayer; i++) {
            h = layers.forward(h, i, 1);
            states.add(h);
        }
        return states;
    }

    /**
     * {@code hidden_states[index]}, with Python-style negative indices over all {@code
     * num_hidden_layers + 1} states ({@code -1} = last layer, {@code -2} = the one before).
     */
    public NDArray hiddenState(NDArray pixelValues, int index) {
        int absolute = absoluteIndex(index, config.numHiddenLayers());
        if (absolute > layers.layers()) {
            throw new IllegalArgumentException("hidden state " + index + " needs layers that are not loaded ("
                    + layers.layers() + " of " + config.numHiddenLayers() + " loaded)");
        }
        // one kernel call for the layers; unlike hiddenStates, earlier states are never kept
        NDArray h = embed(pixelValues);
        NDArray out = layers.forward(h, 0, absolute);
        if (out != h) {
            h.close();
        }
        return out;
    }

    /** {@code hidden_states[0]}: {@code pre_layrnorm(embeddings(pixels))}. */
    private NDArray embed(NDArray pixelValues) {
        return CallScope.apply(pixelValues, px -> preLayerNorm.forward(embeddings.forward(px)));
    }

    /** The last encoder layer's output (CLS included, no post layernorm), {@code [B, 1 + patches, hidden]}. */
    public NDArray lastHiddenState(NDArray pixelValues) {
        return hiddenState(pixelValues, -1);
    }

    /** {@code post_layernorm} of the CLS row of the last hidden state ({@code pooler_output}), {@code [B, hidden]}. */
    public NDArray pooledOutput(NDArray pixelValues) {
        if (postLayerNorm == null) {
            throw new IllegalStateException("this checkpoint has no post_layernorm weights");
        }
        NDArray last = lastHiddenState(pixelValues);
        return postLayerNorm.forward(last.get(":, 0, :"));
    }

    /** Frees the layers' kernel state (the weights stay with their store). */
    @Override
    public void close() {
        layers.close();
        kernels.close();
    }

    /** {@code index} into {@code layers + 1} hidden states, negative counting from the end. */
    public static int absoluteIndex(int index, int numLayers) {
        int count = numLayers + 1;
        int abs = index < 0 ? count + index : index;
        if (abs < 0 || abs >= count) {
            throw new IllegalArgumentException("hidden state index " + index + " is out of range for "
                    + numLayers + " layers (" + count + " states)");
        }
        return abs;
    }
}
