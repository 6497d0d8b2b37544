package io.vlmtagger.models.config;

import io.vlmtagger.models.api.CheckpointException;

/** {@code Blip2QFormerConfig} (transformers 4.40 defaults). */
public record QFormerConfig(
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double layerNormEps,
        int crossAttentionFrequency,
        int encoderHiddenSize,
        String positionEmbeddingType) {

    public static QFormerConfig from(ConfigReader c) {
        QFormerConfig cfg = new QFormerConfig(
                c.integer("hidden_size", 768),
                c.integer("num_hidden_layers", 12),
                c.integer("num_attention_heads", 12),
                c.integer("intermediate_size", 3072),
                c.string("hidden_act", "gelu"),
                c.number("layer_norm_eps", 1e-12),
                c.integer("cross_attention_frequency", 2),
                c.integer("encoder_hidden_size", 1408),
                c.string("position_embedding_type", "absolute"));
        c.checkHeads("hidden_size", cfg.hiddenSize, "num_attention_heads", cfg.numAttentionHeads);
        if (cfg.crossAttentionFrequency <= 0) {
            throw new CheckpointException(c.where() + ": cross_attention_frequency must be >= 1, got "
                    + cfg.crossAttentionFrequency);
        }
        if (!cfg.positionEmbeddingType.equals("absolute")) {
            throw new CheckpointException(c.where() + ": position_embedding_type '" + cfg.positionEmbeddingType
                    + "' is not supported (only 'absolute'; query tokens carry no position embedding)");
        }
        return cfg;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Layer {@code i} has cross-attention iff {@code i % cross_attention_frequency == 0}. */
    public boolean hasCrossAttention(int layer) {
        return layer % crossAttentionFrequency == 0;
    }
}
