package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * What the gated cross-attention blocks read for T text positions: the image states of each row
 * and, per position, which of them it may attend.
 *
 * @param imageStates {@code [B, N * tokensPerImage, D]}
 * @param additiveMask {@code [B, 1, T, N * tokensPerImage]}
 * @param attendsImage {@code [B, T, 1]}, 1 where the position attends an image (else its
 *     cross-attention output is exactly 0)
 */
public record ImageContext(NDArray imageStates, NDArray additiveMask, NDArray attendsImage) {

    /**
     * @param imageStates {@code [B, N * tokensPerImage, D]}
     * @param imageAttentionMask {@code [B, T, N]} 0/1 for the T positions of this forward
     */
    public static ImageContext of(NDArray imageStates, NDArray imageAttentionMask, int tokensPerImage) {
        long slots = imageAttentionMask.getShape().get(2);
        long rows = imageStates.getShape().get(1);
        if (slots * tokensPerImage != rows) {
            throw new IllegalArgumentException("image attention mask has " + slots + " image slots of "
                    + tokensPerImage + " tokens but the image states have " + rows + " rows");
        }
        DataType type = imageStates.getDataType();
        return new ImageContext(imageStates,
                ImageAttentionMasks.additive(imageAttentionMask, tokensPerImage, type),
                ImageAttentionMasks.attendsAnyImage(imageAttentionMask, type));
    }
}
