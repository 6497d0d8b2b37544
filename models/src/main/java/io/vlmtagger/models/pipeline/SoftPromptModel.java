package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.generate.CausalDecoder;

/**
 * What {@link CaptionPipeline} needs from a loaded BLIP-2 style model: images to a soft visual
 * prompt, and the language model that continues it. Results of {@link #softPrompt} live in the
 * manager of the pixels (the call's manager).
 */
public interface SoftPromptModel {

    /** Pixels {@code [B, 3, H, W]} in the compute dtype -> soft prompt {@code [B, Q, H_lm]}. */
    NDArray softPrompt(NDArray pixelValues);

    CausalDecoder decoder();

    /** A fresh manager on the model's device for one call's arrays; the caller closes it. */
    NDManager newCallManager();

    /** The compute dtype pixels are given in. */
    DataType dataType();
}
