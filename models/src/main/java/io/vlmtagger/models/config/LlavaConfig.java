package io.vlmtagger.models.config;

import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Path;

/**
 * {@code LlavaConfig} (transformers 4.40): a CLIP vision tower, a 2-layer projector and a Llama
 * language model. When {@code vision_config}/{@code text_config} are absent entirely, transformers
 * uses LLaVA-1.5's CLIP ViT-L/14-336 and a default Llama; when present, their own class defaults.
 */
public record LlavaConfig(
        ClipVisionConfig vision,
        LlamaConfig text,
        int imageTokenIndex,
        String projectorHiddenAct,
        int visionFeatureLayer,
        String visionFeatureSelectStrategy,
        int padTokenId,
        boolean tieWordEmbeddings) {

    public static final String MODEL_TYPE = "llava";

    public static LlavaConfig load(Path checkpoint) {
        return from(ConfigReader.load(checkpoint));
    }

    public static LlavaConfig from(ConfigReader c) {
        String type = c.modelType();
        if (!type.equals(MODEL_TYPE)) {
            throw new CheckpointException(c.where() + ": model_type '" + type + "' is not '" + MODEL_TYPE + "'");
        }
        ClipVisionConfig vision = c.has("vision_config")
                ? ClipVisionConfig.from(c.child("vision_config"))
                : new ClipVisionConfig(1024, 4096, 768, 24, 16, 3, 336, 14, "quick_gelu", 1e-5);
        ConfigReader textReader = c.child("text_config");
        String textType = textReader.string("model_type", "llama");
        if (!textType.equals("llama")) {
            throw new CheckpointException(c.where() + ": text_config model_type '" + textType
                    + "' is not supported (only 'llama')");
        }
        LlamaConfig text = LlamaConfig.from(textReader);
        String strategy = c.string("vision_feature_select_strategy", "default");
        if (!strategy.equals("default") && !strategy.equals("full")) {
            throw new CheckpointException(c.where() + ": vision_feature_select_strategy '" + strategy
                    + "' is not 'default' or 'full'");
        }
        return new LlavaConfig(vision, text,
                c.integer("image_token_index", 32000),
                c.string("projector_hidden_act", "gelu"),
                c.integer("vision_feature_layer", -2),
                strategy,
                c.integer("pad_token_id", text.padTokenId()),
                c.bool("tie_word_embeddings", text.tieWordEmbeddings()));
    }
}
