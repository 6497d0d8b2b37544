package io.vlmtagger.models.config;

/** {@code Blip2VisionConfig} (transformers 4.40 defaults). */
public record Blip2VisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numChannels,
        int imageSize,
        int patchSize,
        String hiddenAct,
        double layerNormEps,
        boolean qkvBias) {

    public static Blip2VisionConfig from(ConfigReader c) {
        Blip2VisionConfig cfg = new Blip2VisionConfig(
                c.integer("hidden_size", 1408),
                c.integer("intermediate_size", 6144),
                c.integer("num_hidden_layers", 39),
                c.integer("num_attention_heads", 16),
                c.integer("num_channels", 3),
                c.integer("image_size", 224),
                c.integer("patch_size", 14),
                c.string("hidden_act", "gelu"),
                c.number("layer_norm_eps", 1e-6),
                c.bool("qkv_bias", true));
        c.checkHeads("hidden_size", cfg.hiddenSize, "num_attention_heads", cfg.numAttentionHeads);
        return cfg;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per side times patches per side. */
    public int numPatches() {
        return (imageSize / patchSize) * (imageSize / patchSize);
    }

    /** Patches plus the class token. */
    public int numPositions() {
        return numPatches() + 1;
    }
}
