package io.vlmtagger.models.llava;

import ai.djl.ndarray.NDArray;

/**
 * The language model's input after the image tokens were replaced by image feature rows.
 *
 * @param inputsEmbeds {@code [B, L, hidden]}; all-zero rows at padding and filler positions
 * @param attentionMask {@code [B, L]} int64, 0 at padding and filler positions
 */
public record MergedInputs(NDArray inputsEmbeds, NDArray attentionMask) {
    public long length() {
        return attentionMask.getShape().get(1);
    }
}
