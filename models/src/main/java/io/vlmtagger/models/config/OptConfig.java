package io.vlmtagger.models.config;

import io.vlmtagger.models.api.CheckpointException;

/** {@code OPTConfig} (transformers 4.40 defaults). {@code word_embed_proj_dim} defaults to {@code hidden_size}. */
public record OptConfig(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int ffnDim,
        int maxPositionEmbeddings,
        boolean doLayerNormBefore,
        boolean removeFinalLayerNorm,
        int wordEmbedProjDim,
        int numAttentionHeads,
        String activationFunction,
        boolean layerNormElementwiseAffine,
        boolean enableBias,
        int padTokenId,
        int bosTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings) {

    /** OPT's learned positions are looked up at {@code position + 2}. */
    public static final int POSITION_OFFSET = 2;

    public static OptConfig from(ConfigReader c) {
        String type = c.string("model_type", "opt");
        if (!type.equals("opt")) {
            throw new CheckpointException(c.where() + ": language model type '" + type
                    + "' is not supported (only 'opt' decoders)");
        }
        int hidden = c.integer("hidden_size", 768);
        OptConfig cfg = new OptConfig(
                c.integer("vocab_size", 50272),
                hidden,
                c.integer("num_hidden_layers", 12),
                c.integer("ffn_dim", 3072),
                c.integer("max_position_embeddings", 2048),
                c.bool("do_layer_norm_before", true),
                c.bool("_remove_final_layer_norm", false),
                c.integer("word_embed_proj_dim", hidden),
                c.integer("num_attention_heads", 12),
                c.string("activation_function", "relu"),
                c.bool("layer_norm_elementwise_affine", true),
                c.bool("enable_bias", true),
                c.integer("pad_token_id", 1),
                c.integer("bos_token_id", 2),
                c.integer("eos_token_id", 2),
                c.bool("tie_word_embeddings", true));
        c.checkHeads("hidden_size", cfg.hiddenSize, "num_attention_heads", cfg.numAttentionHeads);
        return cfg;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Rows of {@code embed_positions}. */
    public int positionTableRows() {
        return maxPositionEmbeddings + POSITION_OFFSET;
    }

    /** Whether the decoder has {@code project_in}/{@code project_out} (embedding dim differs from hidden). */
    public boolean hasProjections() {
        return wordEmbedProjDim != hiddenSize;
    }

    /**
     * Whether the decoder has a {@code final_layer_norm}: transformers creates it iff
     * {@code do_layer_norm_before && !_remove_final_layer_norm}.
     */
    public boolean hasFinalLayerNorm() {
        return doLayerNormBefore && !removeFinalLayerNorm;
    }
}
