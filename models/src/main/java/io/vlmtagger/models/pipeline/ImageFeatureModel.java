package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.generate.CausalDecoder;

/**
 * What {@link ChatPipeline} needs from a loaded LLaVA style model: images to projected features
 * that replace the prompt's image token, and the language model. Results of {@link
 * #imageFeatures} live in the manager of the pixels (the call's manager).
 */
public interface ImageFeatureModel {

    /** Pixels {@code [B, 3, H, W]} in the compute dtype -> features {@code [B, N, H_lm]}. */
    NDArray imageFeatures(NDArray pixelValues);

    /** Rows each image becomes ({@code N}). */
    int featuresPerImage();

    /** Id of the image placeholder token in prompts. */
    long imageTokenId();

    CausalDecoder decoder();

    /** Longest merged sequence (prompt with image features + new tokens) the model supports. */
    int maxContextTokens();

    /** A fresh manager on the model's device for one call's arrays; the caller closes it. */
    NDManager newCallManager();

    /** The compute dtype pixels are given in. */
    DataType dataType();
}
