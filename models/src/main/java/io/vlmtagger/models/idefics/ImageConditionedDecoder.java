package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.nn.LayerKvCache;
import java.util.ArrayList;
import java.util.List;

/**
 * IDEFICS' text model bound to one request's images, as a {@link CausalDecoder} for the shared
 * {@code Generator}. The image states are computed once (vision + resampler), and so are the gated
 * blocks' image keys and values (at the prompt's forward, kept in the cache), reused at every
 * step; the gated blocks recompute their keys/values from them and keep no cache.
 *
 * <p>Image attention, as transformers' {@code generate()} does it: a forward over the prompt (no
 * cache, or the first forward of a cache) uses the prompt's {@code image_attention_mask} row per
 * position; every later position uses the LAST prompt position's row (it attends the most recent
 * image, or nothing in a blind row). A forward without cache that is longer than the prompt
 * (prompt + generated tokens) extends the mask the same way.
 *
 * <p>One instance per request batch (it holds that batch's arrays); the {@link KvCache} it makes
 * carries the per-row image keys/values, so rows dropped or duplicated by the generator keep their images.
 */
public final class ImageConditionedDecoder implements CausalDecoder {
    private final IdeficsTextModel text;
    private final IdeficsConfig config;
    private final NDArray imageStates;
    private final NDArray imageAttentionMask;

    /**
     * @param imageStates {@code [B, N * tokensPerImage, D]} (see {@link IdeficsModel#imageStates})
     * @param imageAttentionMask {@code [B, T, N]} 0/1 over the prompt
     */
    ImageConditionedDecoder(IdeficsTextModel text, IdeficsConfig config, NDArray imageStates,
            NDArray imageAttentionMask) {
        if (imageStates.getShape().get(0) != imageAttentionMask.getShape().get(0)) {
            throw new IllegalArgumentException("image states have " + imageStates.getShape().get(0)
                    + " rows but the image attention mask has " + imageAttentionMask.getShape().get(0));
        }
        this.text = text;
        this.config = config;
        this.imageStates = imageStates;
        this.imageAttentionMask = imageAttentionMask.getDataType() == DataType.INT64
                ? imageAttentionMask : imageAttentionMask.toType(DataType.INT64, false);
    }

    @Override
    public NDArray embed(NDArray inputIds) {
        return text.embed(inputIds);
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        return text.logits(hiddenStates(inputsEmbeds, attentionMask, cache, null));
    }

    @Override
    public NDArray forwardLast(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        NDArray hidden = hiddenStates(inputsEmbeds, attentionMask, cache, null);
        return text.logits(hidden.get(":, -1, :"));
    }

    /** Final-norm hidden states; {@code probe} as in {@link IdeficsTextModel#hiddenStates}. */
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache,
            IdeficsTextModel.Probe probe) {
        long newLength = inputsEmbeds.getShape().get(1);
        Cache c = asCache(cache);
        ImageContext image;
        DataType type = inputsEmbeds.getDataType();
        int perImage = config.tokensPerImage();
        if (c == null) {
            List<NDList> kv = text.imageKeysValues(imageStates, inputsEmbeds.getManager());
            image = ImageContext.of(kv, promptRows(newLength), perImage, type);
        } else if (c.layers.length() == 0) {
            NDArray rows = promptRows(newLength);
            c.lastRow = rows.get(":, -1, :").toLongArray();
            c.slots = rows.getShape().get(2);
            // the generator's call manager: the keys/values live as long as the cache
            c.keysValues = text.imageKeysValues(imageStates, inputsEmbeds.getManager());
            image = ImageContext.of(c.keysValues, rows, perImage, type);
        } else {
            // the step's mask arrays are made in the step's manager (the new embeddings'), freed with it
            long b = inputsEmbeds.getShape().get(0);
            NDArray row = inputsEmbeds.getManager().create(c.lastRow, new Shape(b, 1, c.slots));
            image = ImageContext.of(c.keysValues, row.broadcast(b, newLength, c.slots), perImage, type);
        }
        return text.hiddenStates(inputsEmbeds, attentionMask, c == null ? null : c.layers, image, probe);
    }

    /** The prompt's mask rows for {@code length} positions, the last row repeated past the prompt. */
    private NDArray promptRows(long length) {
        long b = imageAttentionMask.getShape().get(0);
        long t = imageAttentionMask.getShape().get(1);
        long n = imageAttentionMask.getShape().get(2);
        if (length == t) {
            return imageAttentionMask;
        }
        if (length < t) {
            throw new IllegalArgumentException("a forward over " + length + " positions from the start cannot use the "
                    + t + "-position prompt image mask");
        }
        NDArray extra = imageAttentionMask.get(":, -1:, :").broadcast(b, length - t, n);
        return imageAttentionMask.concat(extra, 1);
    }

    @Override
    public KvCache newCache() {
        return new Cache(new LayerKvCache(text.numLayers()));
    }

    @Override
    public int vocabSize() {
        return config.totalVocabSize();
    }

    @Override
    public int maxPositions() {
        return config.text().maxPositionEmbeddings();
    }

    private static Cache asCache(KvCache cache) {
        if (cache == null) {
            return null;
        }
        if (cache instanceof Cache c) {
            return c;
        }
        throw new IllegalArgumentException("IDEFICS needs the cache from its newCache(), got "
                + cache.getClass().getName());
    }

    /** The self-attention cache plus, per row, every gated block's image keys/values and the last image-mask row. */
    private static final class Cache implements KvCache {
        private final LayerKvCache layers;
        private List<NDList> keysValues;
        private long[] lastRow; // [B * N] on the heap
        private long slots;

        Cache(LayerKvCache layers) {
            this.layers = layers;
        }

        @Override
        public long length() {
            return layers.length();
        }

        @Override
        public void reorder(NDArray rowIndices) {
            layers.reorder(rowIndices);
            if (keysValues != null) {
                long[] idx = rowIndices.toLongArray();
                long[] row = new long[(int) (idx.length * slots)];
                for (int i = 0; i < idx.length; i++) {
                    System.arraycopy(lastRow, (int) (idx[i] * slots), row, (int) (i * slots), (int) slots);
                }
                lastRow = row;
                List<NDList> reorderedKv = new ArrayList<>(keysValues.size());
                for (NDList kv : keysValues) {
                    reorderedKv.add(new NDList(kv.get(0).get(rowIndices), kv.get(1).get(rowIndices)));
                    kv.close();
                }
                keysValues = reorderedKv;
            }
        }

        @Override
        public void close() {
            layers.close();
            if (keysValues != null) {
                keysValues.forEach(NDList::close);
                keysValues = null;
            }
        }
    }
}
