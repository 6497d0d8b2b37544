package io.vlmtagger.models.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.nn.Embedding;

/**
 * LLaVA's merge of text and image ({@code _merge_input_ids_with_image_features}, transformers
 * 4.40): every {@code image_token_index} in a row is replaced IN PLACE by the rows of the next
 * image's features (images are consumed in order, row by row), so a row with {@code n} image
 * tokens grows by {@code n * (patches - 1)}. Rows are aligned to the longest merged row {@code L}
 * by filler positions: in front when the batch is left-padded (no row ends with the pad id), at
 * the end otherwise. Filler and pad-token positions get all-zero embeddings and mask 0; image
 * rows get mask 1; text keeps its mask.
 *
 * <p>The layout is computed on the host from the ids; the embeddings are then assembled with one
 * gather from {@code [text rows; image rows; zero row]}.
 */
public final class LlavaInputMerger {
    private LlavaInputMerger() {}

    /**
     * @param inputIds {@code [B, T]} int64, with image tokens NOT expanded
     * @param attentionMask {@code [B, T]}
     * @param textEmbeds {@code [B, T, H]}, the embedding of {@code inputIds}
     * @param imageFeatures {@code [N, P, H]}, one per image token in the batch, in order
     */
    public static MergedInputs merge(NDArray inputIds, NDArray attentionMask, NDArray textEmbeds,
            NDArray imageFeatures, long imageTokenId, long padTokenId) {
        NDManager m = textEmbeds.getManager();
        int b = (int) inputIds.getShape().get(0);
        int t = (int) inputIds.getShape().get(1);
        long hidden = textEmbeds.getShape().get(2);
        int images = (int) imageFeatures.getShape().get(0);
        int patches = (int) imageFeatures.getShape().get(1);
        if (imageFeatures.getShape().get(2) != hidden) {
            throw new IllegalArgumentException("image features are " + imageFeatures.getShape()
                    + " but text embeddings have width " + hidden);
        }
        long[] ids = inputIds.toLongArray();
        long[] mask = attentionMask.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        int[] imageTokens = new int[b];
        int totalImageTokens = 0;
        boolean leftPadding = true;
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                if (ids[r * t + i] == imageTokenId) {
                    imageTokens[r]++;
                }
            }
            totalImageTokens += imageTokens[r];
            if (ids[r * t + t - 1] == padTokenId) {
                leftPadding = false;
            }
        }
        if (totalImageTokens != images) {
            throw new IllegalArgumentException("the prompts hold " + totalImageTokens + " image tokens (id "
                    + imageTokenId + ") but " + images + " images were given: each image needs exactly one token");
        }
        int maxTokens = 0;
        for (int n : imageTokens) {
            maxTokens = Math.max(maxTokens, n);
        }
        int length = t + maxTokens * (patches - 1);
        long zeroRow = (long) b * t + (long) images * patches; // index of the appended zero row
        long[] gather = new long[b * length];
        long[] newMask = new long[b * length];
        java.util.Arrays.fill(gather, zeroRow);
        int nextImage = 0;
        for (int r = 0; r < b; r++) {
            int rowLength = t + imageTokens[r] * (patches - 1);
            int pos = leftPadding ? length - rowLength : 0;
            for (int i = 0; i < t; i++) {
                long id = ids[r * t + i];
                int base = r * length;
                if (id == imageTokenId) {
                    long imageBase = (long) b * t + (long) nextImage * patches;
                    for (int p = 0; p < patches; p++) {
                        gather[base + pos + p] = imageBase + p;
                        newMask[base + pos + p] = 1;
                    }
                    nextImage++;
                    pos += patches;
                } else {
                    gather[base + pos] = id == padTokenId ? zeroRow : (long) r * t + i;
                    newMask[base + pos] = mask[r * t + i];
                    pos++;
                }
            }
        }
        NDArray table = textEmbeds.reshape(-1, hidden)
                .concat(imageFeatures.toType(textEmbeds.getDataType(), false).reshape(-1, hidden), 0)
                .concat(m.zeros(new Shape(1, hidden), textEmbeds.getDataType()), 0);
        NDArray index = m.create(gather, new Shape(b, length));
        NDArray embeds = new Embedding(table).forward(index); // [B, L, H]
        return new MergedInputs(embeds, m.create(newMask, new Shape(b, length)));
    }
}
