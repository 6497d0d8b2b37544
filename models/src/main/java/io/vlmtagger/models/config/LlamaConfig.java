package io.vlmtagger.models.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlmtagger.models.api.CheckpointException;

/**
 * {@code LlamaConfig} (transformers 4.40 defaults). {@code num_key_value_heads} defaults to
 * {@code num_attention_heads}; {@code head_dim} (newer configs) to {@code hidden_size / heads}.
 * {@code pad_token_id} is -1 when absent.
 */
public record LlamaConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        String hiddenAct,
        int maxPositionEmbeddings,
        double rmsNormEps,
        int padTokenId,
        int bosTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings,
        double ropeTheta,
        JsonNode ropeScaling,
        boolean attentionBias) {

    public static LlamaConfig from(ConfigReader c) {
        int hidden = c.integer("hidden_size", 4096);
        int heads = c.integer("num_attention_heads", 32);
        Integer kv = c.optInteger("num_key_value_heads");
        int kvHeads = kv == null ? heads : kv;
        if (!c.has("head_dim")) {
            c.checkHeads("hidden_size", hidden, "num_attention_heads", heads);
        }
        LlamaConfig cfg = new LlamaConfig(
                c.integer("vocab_size", 32000),
                hidden,
                c.integer("intermediate_size", 11008),
                c.integer("num_hidden_layers", 32),
                heads,
                kvHeads,
                c.integer("head_dim", heads > 0 ? hidden / heads : 0),
                c.string("hidden_act", "silu"),
                c.integer("max_position_embeddings", 2048),
                c.number("rms_norm_eps", 1e-6),
                c.integer("pad_token_id", -1),
                c.integer("bos_token_id", 1),
                c.integer("eos_token_id", 2),
                c.bool("tie_word_embeddings", false),
                c.number("rope_theta", 10000.0),
                c.raw("rope_scaling"),
                c.bool("attention_bias", false));
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new CheckpointException(c.where() + ": num_attention_heads=" + heads
                    + " is not a multiple of num_key_value_heads=" + kvHeads);
        }
        return cfg;
    }

    /** Query heads per key/value head (GQA group size). */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Whether config.json sets a {@code rope_scaling} object (not null). */
    public boolean hasRopeScaling() {
        return ropeScaling != null && ropeScaling.isObject();
    }
}
