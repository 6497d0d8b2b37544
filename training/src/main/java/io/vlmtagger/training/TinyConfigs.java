package io.vlmtagger.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.weights.CheckpointDirectory;

/**
 * {@code config.json} of the tiny checkpoints in the layout {@code save_pretrained} writes
 * (transformers 4.40.2), every value that matters spelled out rather than left to class defaults.
 */
public final class TinyConfigs {
    private TinyConfigs() {}

    /** Sizes shared by both tiny models. */
    public record Sizes(int imageSize, int patchSize, int hidden, int layers, int heads, int intermediate) {
        /**
         * The shipped checkpoints: image 96, patch 32 (3 x 3 patches, one per cell of the scene grid),
         * hidden 64, 2 layers, 4 heads, MLP 256.
         */
        public static final Sizes DEFAULT = new Sizes(96, 32, 64, 2, 4, 256);
    }

    /** {@code Blip2ForConditionalGeneration}: ViT + Q-Former ({@code queries} tokens) + OPT. */
    public static ObjectNode blip2(Sizes s, int queries, int maxPositions) {
        ObjectNode c = CheckpointDirectory.newObject();
        c.putArray("architectures").add("Blip2ForConditionalGeneration");
        c.put("model_type", "blip-2");
        c.put("num_query_tokens", queries);
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("tie_word_embeddings", true);
        c.put("use_decoder_only_language_model", true);
        c.put("torch_dtype", "float32");
        c.put("transformers_version", "4.40.2");
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", "blip_2_vision_model");
        v.put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("image_size", s.imageSize()).put("patch_size", s.patchSize())
                .put("hidden_act", "gelu").put("layer_norm_eps", 1e-6).put("qkv_bias", true);
        ObjectNode q = c.putObject("qformer_config");
        q.put("model_type", "blip_2_qformer");
        q.put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("cross_attention_frequency", 1).put("encoder_hidden_size", s.hidden())
                .put("hidden_act", "gelu").put("layer_norm_eps", 1e-6)
                .put("position_embedding_type", "absolute").put("vocab_size", TinyVocabulary.size())
                .put("max_position_embeddings", maxPositions);
        ObjectNode t = c.putObject("text_config");
        t.put("model_type", "opt");
        t.put("vocab_size", TinyVocabulary.size()).put("hidden_size", s.hidden())
                .put("word_embed_proj_dim", s.hidden()).put("ffn_dim", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("max_position_embeddings", maxPositions).put("activation_function", "relu")
                .put("do_layer_norm_before", true).put("enable_bias", true)
                .put("layer_norm_elementwise_affine", true).put("tie_word_embeddings", true)
                .put("pad_token_id", TinyVocabulary.PAD_ID).put("bos_token_id", TinyVocabulary.BOS_ID)
                .put("eos_token_id", TinyVocabulary.EOS_ID);
        return c;
    }

    /**
     * {@code LlavaForConditionalGeneration}: CLIP vision tower (features of its last layer, class
     * token dropped), 2-layer GELU projector, Llama.
     */
    public static ObjectNode llava(Sizes s, int maxPositions) {
        ObjectNode c = CheckpointDirectory.newObject();
        c.putArray("architectures").add("LlavaForConditionalGeneration");
        c.put("model_type", "llava");
        c.put("image_token_index", TinyVocabulary.IMAGE_ID);
        c.put("pad_token_id", TinyVocabulary.PAD_ID);
        c.put("bos_token_id", TinyVocabulary.BOS_ID);
        c.put("eos_token_id", TinyVocabulary.EOS_ID);
        c.put("ignore_index", -100);
        c.put("projector_hidden_act", "gelu");
        c.put("vision_feature_layer", -1);
        c.put("vision_feature_select_strategy", "default");
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "float32");
        c.put("transformers_version", "4.40.2");
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", "clip_vision_model");
        v.put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("image_size", s.imageSize()).put("patch_size", s.patchSize())
                .put("projection_dim", s.hidden()).put("hidden_act", "quick_gelu").put("layer_norm_eps", 1e-5);
        ObjectNode t = c.putObject("text_config");
        t.put("model_type", "llama");
        t.put("vocab_size", TinyVocabulary.size()).put("hidden_size", s.hidden())
                .put("intermediate_size", s.intermediate()).put("num_hidden_layers", s.layers())
                .put("num_attention_heads", s.heads()).put("num_key_value_heads", s.heads())
                .put("max_position_embeddings", maxPositions).put("hidden_act", "silu")
                .put("rms_norm_eps", 1e-6).put("rope_theta", 10000.0).put("tie_word_embeddings", false)
                .put("attention_bias", false).put("pad_token_id", TinyVocabulary.PAD_ID)
                .put("bos_token_id", TinyVocabulary.BOS_ID).put("eos_token_id", TinyVocabulary.EOS_ID);
        return c;
    }
}
