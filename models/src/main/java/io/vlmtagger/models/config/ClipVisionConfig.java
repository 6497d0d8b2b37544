package io.vlmtagger.models.config;

/** {@code CLIPVisionConfig} (transformers 4.40 defaults). */
public record ClipVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int projectionDim,
        int numHiddenLayers,
        int numAttentionHeads,
        int numChannels,
        int imageSize,
        int patchSize,
        String hiddenAct,
        double layerNormEps) {

    public static ClipVisionConfig from(ConfigReader c) {
        ClipVisionConfig cfg = new ClipVisionConfig(
                c.integer("hidden_size", 768),
                c.integer("intermediate_size", 3072),
                c.integer("projection_dim", 512),
                c.integer("num_hidden_layers", 12),
                c.integer("num_attention_heads", 12),
                c.integer("num_channels", 3),
                c.integer("image_size", 224),
                c.integer("patch_size", 32),
                c.string("hidden_act", "quick_gelu"),
                c.number("layer_norm_eps", 1e-5));
        c.checkHeads("hidden_size", cfg.hiddenSize, "num_attention_heads", cfg.numAttentionHeads);
        return cfg;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public int numPatches() {
        return (imageSize / patchSize) * (imageSize / patchSize);
    }

    /** Patches plus the class token. */
    public int numPositions() {
        return numPatches() + 1;
    }
}
