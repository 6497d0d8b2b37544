package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * What the gated cross-attention blocks read for T text positions: each block's image keys and
 * values and, per position, which images it may attend.
 *
 * @param keysValues per gated block, {@link IdeficsTextModel#imageKeysValues}
 * @param additiveMask {@code [B, 1, T, N * tokensPerImage]}
 * @param attendsImage {@code [B, T, 1]}, 1 where the position attends an image (else its
 *     cross-attention output is exactly 0)
 */
public record ImageContext(List<NDList> keysValues, NDArray additiveMask, NDArray attendsImage) {

    /**
     * @param keysValues per gated block, over {@code S = N * tokensPerImage} image rows
     * @param imageAttentionMask {@code [B, T, N]} 0/1 for the T positions of this forward
     * @param type the compute dtype
     */
    public static ImageContext of(List<NDList> keysValues, NDArray imageAttentionMask, int tokensPerImage,
            DataType type) {
        long slots = imageAttentionMask.getShape().get(2);
        long rows = keysValues.get(0).get(0).getShape().get(2);
        if (slots * tokensPerImage != rows) {
            throw new IllegalArgumentException("image attention mask has " + slots + " image slots of "
                    + tokensPerImage + " tokens but the image states have " + rows + " rows");
        }
        return new ImageContext(keysValues,
                ImageAttentionMasks.additive(imageAttentionMask, tokensPerImage, type),
                ImageAttentionMasks.attendsAnyImage(imageAttentionMask, type));
    }
}
