package io.vlmtagger.models.idefics;

import io.vlmtagger.models.config.ConfigReader;

/** {@code IdeficsPerceiverConfig} (transformers 4.40 defaults): the Perceiver Resampler's shape. */
public record IdeficsPerceiverConfig(
        boolean useResampler,
        int nLatents,
        int depth,
        int nHeads,
        int headDim,
        boolean qkLayerNorms) {

    public static IdeficsPerceiverConfig from(ConfigReader c) {
        return new IdeficsPerceiverConfig(
                c.bool("use_resampler", false),
                c.integer("resampler_n_latents", 64),
                c.integer("resampler_depth", 6),
                c.integer("resampler_n_heads", 16),
                c.integer("resampler_head_dim", 96),
                c.bool("qk_layer_norms_perceiver", false));
    }

    /** {@code n_heads * head_dim}, the attention's inner width. */
    public int innerDim() {
        return nHeads * headDim;
    }
}
