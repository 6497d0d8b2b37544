package io.vlmtagger.models.idefics;

import com.fasterxml.jackson.databind.node.MissingNode;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.config.ConfigReader;
import io.vlmtagger.models.config.LlamaConfig;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code IdeficsConfig} (transformers 4.40 class defaults for absent keys): a CLIP-style vision
 * encoder ({@code vision_config}, exact GELU), an optional Perceiver Resampler ({@code
 * perceiver_config}) and a Llama text model whose layers are preceded, every {@code
 * cross_layer_interval}-th layer, by a gated cross-attention block.
 *
 * @param vision the vision encoder as a CLIP tower config ({@code embed_dim} is its width)
 * @param text the Llama part; its {@code vocabSize} is the base vocabulary (without the
 *     additional tokens) and its rotary base is fixed at 10000 as in IDEFICS' code
 * @param additionalVocabSize ids {@code vocab_size ..} embedded by {@code additional_embedding}
 *     and scored by {@code lm_head.additional_fc}
 * @param crossLayerInterval a gated block runs in front of text layer {@code i} when {@code i %
 *     interval == 0}
 * @param qkLayerNorms RMSNorms over head_dim on the cross-attention's q and k
 * @param alphaType {@code float} (scalar gates) or {@code vector} (one value per hidden channel)
 */
public record IdeficsConfig(
        ClipVisionConfig vision,
        IdeficsPerceiverConfig perceiver,
        LlamaConfig text,
        int additionalVocabSize,
        int crossLayerInterval,
        boolean qkLayerNorms,
        String alphaType,
        boolean useResampler) {

    public static final String MODEL_TYPE = "idefics";

    public static IdeficsConfig load(Path checkpoint) {
        return from(ConfigReader.load(checkpoint));
    }

    public static IdeficsConfig from(ConfigReader c) {
        String type = c.modelType();
        if (!type.equals(MODEL_TYPE)) {
            throw new CheckpointException(c.where() + ": model_type '" + type + "' is not '" + MODEL_TYPE + "'");
        }
        ConfigReader v = c.child("vision_config");
        int embedDim = v.integer("embed_dim", 768);
        int visionHeads = v.integer("num_attention_heads", 16);
        if (visionHeads <= 0 || embedDim % visionHeads != 0) {
            throw new CheckpointException(v.where() + ": embed_dim=" + embedDim
                    + " is not divisible by num_attention_heads=" + visionHeads);
        }
        ClipVisionConfig vision = new ClipVisionConfig(
                embedDim,
                v.integer("intermediate_size", 5120),
                0,
                v.integer("num_hidden_layers", 32),
                visionHeads,
                v.integer("num_channels", 3),
                v.integer("image_size", 224),
                v.integer("patch_size", 14),
                v.string("hidden_act", "gelu"),
                v.number("layer_norm_eps", 1e-5));
        IdeficsPerceiverConfig perceiver = IdeficsPerceiverConfig.from(c.child("perceiver_config"));
        int hidden = c.integer("hidden_size", 4096);
        int heads = c.integer("num_attention_heads", 32);
        if (heads <= 0 || hidden % heads != 0) {
            throw new CheckpointException(c.where() + ": hidden_size=" + hidden
                    + " is not divisible by num_attention_heads=" + heads);
        }
        int layers = c.integer("num_hidden_layers", 32);
        LlamaConfig text = new LlamaConfig(
                c.integer("vocab_size", 32000),
                hidden,
                c.integer("intermediate_size", 11008),
                layers,
                heads,
                heads,
                hidden / heads,
                c.string("hidden_act", "silu"),
                c.integer("max_position_embeddings", 2048),
                c.number("rms_norm_eps", 1e-6),
                c.integer("pad_token_id", 0),
                c.integer("bos_token_id", 1),
                c.integer("eos_token_id", 2),
                c.bool("tie_word_embeddings", false),
                10000.0, // IdeficsEmbedding's base; IDEFICS has no rope_theta
                MissingNode.getInstance(),
                false);
        int interval = c.integer("cross_layer_interval", 1);
        if (interval <= 0 || layers % interval != 0) {
            throw new CheckpointException(c.where() + ": num_hidden_layers=" + layers
                    + " must be a positive multiple of cross_layer_interval=" + interval
                    + " (transformers builds num_hidden_layers / interval gated blocks)");
        }
        String alphaType = c.string("alpha_type", "float").toLowerCase(Locale.ROOT);
        if (!alphaType.equals("float") && !alphaType.equals("vector")) {
            throw new CheckpointException(c.where() + ": alpha_type '" + alphaType + "' is not 'float' or 'vector'");
        }
        // 4.40's model code reads the top-level use_resampler (default false), not perceiver_config's
        boolean useResampler = c.bool("use_resampler", false);
        return new IdeficsConfig(vision, perceiver, text,
                c.integer("additional_vocab_size", 0),
                interval,
                c.bool("qk_layer_norms", false),
                alphaType,
                useResampler);
    }

    /** Number of gated cross-attention blocks ({@code num_hidden_layers / cross_layer_interval}). */
    public int numGatedBlocks() {
        return text.numHiddenLayers() / crossLayerInterval;
    }

    /** Logit columns: base vocabulary plus the additional tokens. */
    public int totalVocabSize() {
        return text.vocabSize() + additionalVocabSize;
    }

    /** Key/value rows one image contributes to cross-attention (latents, or every vision token). */
    public int tokensPerImage() {
        return useResampler ? perceiver.nLatents() : vision.numPositions();
    }

    public int padTokenId() {
        return text.padTokenId();
    }
}
