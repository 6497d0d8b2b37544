package io.vlmtagger.models.config;

import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Path;

/** {@code Blip2Config}: vision tower, Q-Former and OPT language model (transformers 4.40 defaults). */
public record Blip2Config(
        Blip2VisionConfig vision,
        QFormerConfig qformer,
        OptConfig text,
        int numQueryTokens,
        boolean tieWordEmbeddings) {

    public static final String MODEL_TYPE = "blip-2";

    /** Reads {@code <checkpoint>/config.json}. */
    public static Blip2Config load(Path checkpoint) {
        return from(ConfigReader.load(checkpoint));
    }

    public static Blip2Config from(ConfigReader c) {
        String type = c.modelType();
        if (!type.equals(MODEL_TYPE)) {
            throw new CheckpointException(c.where() + ": model_type '" + type + "' is not '" + MODEL_TYPE + "'");
        }
        Blip2VisionConfig vision = Blip2VisionConfig.from(c.child("vision_config"));
        QFormerConfig qformer = QFormerConfig.from(c.child("qformer_config"));
        OptConfig text = OptConfig.from(c.child("text_config"));
        // Blip2Config sets qformer_config.encoder_hidden_size = vision_config.hidden_size
        if (qformer.encoderHiddenSize() != vision.hiddenSize()) {
            qformer = new QFormerConfig(qformer.hiddenSize(), qformer.numHiddenLayers(), qformer.numAttentionHeads(),
                    qformer.intermediateSize(), qformer.hiddenAct(), qformer.layerNormEps(),
                    qformer.crossAttentionFrequency(), vision.hiddenSize(), qformer.positionEmbeddingType());
        }
        return new Blip2Config(vision, qformer, text, c.integer("num_query_tokens", 32),
                c.bool("tie_word_embeddings", true));
    }
}
