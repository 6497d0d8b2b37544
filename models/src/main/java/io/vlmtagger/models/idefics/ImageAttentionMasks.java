package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.nn.Masks;

/**
 * IDEFICS' {@code image_attention_mask} and what the model derives from it.
 *
 * <p>{@link #forPrompt} builds it as {@code IdeficsProcessor} does: a token attends ONLY the most
 * recent {@code <image>} at or before it (the {@code <image>} token itself included); tokens
 * before the first image and padding attend none; after an end-of-sequence token (which itself
 * still attends) nothing is attended until the next {@code <image>}. The {@code k}-th image of a
 * row is slot {@code k}.
 */
public final class ImageAttentionMasks {
    private ImageAttentionMasks() {}

    /**
     * @param ids {@code [B][T]} prompt ids (left padding allowed; every row the same length)
     * @param attentionMask {@code [B][T]} 1 = real token
     * @param slots N, the image slots per row (at least the largest image count of any row)
     * @return {@code [B][T][N]} 0/1
     */
    public static long[][][] forPrompt(long[][] ids, long[][] attentionMask, long imageTokenId, long eosTokenId,
            int slots) {
        long[][][] out = new long[ids.length][][];
        for (int b = 0; b < ids.length; b++) {
            out[b] = new long[ids[b].length][slots];
            int seen = 0;
            int current = -1;
            for (int t = 0; t < ids[b].length; t++) {
                if (attentionMask[b][t] == 0) {
                    continue;
                }
                long id = ids[b][t];
                if (id == imageTokenId) {
                    if (seen >= slots) {
                        throw new IllegalArgumentException("row " + b + " has more than " + slots
                                + " <image> tokens; give it that many image slots");
                    }
                    current = seen++;
                }
                if (current >= 0) {
                    out[b][t][current] = 1;
                }
                if (id == eosTokenId) {
                    current = -1;
                }
            }
        }
        return out;
    }

    /** Number of {@code <image>} tokens in a row (its image count). */
    public static int countImages(long[] ids, long imageTokenId) {
        int n = 0;
        for (long id : ids) {
            n += id == imageTokenId ? 1 : 0;
        }
        return n;
    }

    /**
     * The additive cross-attention mask: {@code [B, T, N]} 0/1 repeated {@code tokensPerImage}
     * times per image into {@code [B, 1, T, N * tokensPerImage]}, {@code finfo.min} where 0.
     */
    public static NDArray additive(NDArray imageAttentionMask, int tokensPerImage, DataType type) {
        Shape s = imageAttentionMask.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long n = s.get(2);
        NDArray allowed = imageAttentionMask.eq(1).expandDims(3).broadcast(b, t, n, tokensPerImage)
                .reshape(b, 1, t, n * tokensPerImage);
        return Masks.additive(allowed, type);
    }

    /** {@code cross_attention_gate}: {@code [B, T, 1]} in {@code type}, 1 where the token attends any image. */
    public static NDArray attendsAnyImage(NDArray imageAttentionMask, DataType type) {
        NDArray anyImage = imageAttentionMask.eq(1).toType(DataType.FLOAT32, false).max(new int[] {2}, true);
        return type == DataType.FLOAT32 ? anyImage : anyImage.toType(type, false);
    }

    /** {@code [B][T][N]} to an int64 array in {@code manager}. */
    public static NDArray toArray(NDManager manager, long[][][] mask) {
        int b = mask.length;
        int t = b == 0 ? 0 : mask[0].length;
        int n = t == 0 ? 0 : mask[0][0].length;
        long[] flat = new long[b * t * n];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(mask[i][j], 0, flat, (i * t + j) * n, n);
            }
        }
        return manager.create(flat, new Shape(b, t, n));
    }
}
