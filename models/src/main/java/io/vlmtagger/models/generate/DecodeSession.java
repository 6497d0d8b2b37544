package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One generation call's native state: the call's {@link NDManager}, the {@link KvCache} and the
 * prompt mask (kept on the heap). Each decode step runs in its own sub-manager, so a step's
 * activations are freed as soon as its logits are on the heap; only the cache (which by contract
 * lives in the manager of the prefill's inputs, i.e. the call manager) survives from step to step.
 *
 * <p>Rows of the running batch map to prompt rows through {@code promptRowOf}: rows can be
 * dropped (finished) or duplicated (beams) with {@link #reorder}.
 */
final class DecodeSession implements AutoCloseable {
    private final CausalDecoder decoder;
    private final NDManager call;
    private final KvCache cache;
    private final long[] promptMask;
    private final int promptLen;
    private final int vocab;
    private int generated;
    private boolean argMaxOnly;
    private long[] lastArgMax;

    DecodeSession(CausalDecoder decoder, NDManager call, long[] promptMask, int promptLen) {
        this.decoder = decoder;
        this.call = call;
        this.cache = decoder.newCache();
        this.promptMask = promptMask;
        this.promptLen = promptLen;
        this.vocab = decoder.vocabSize();
    }

    /**
     * When on, {@link #prefill} and {@link #step} pick each row's argmax on the device and return
     * {@code null} (read {@link #lastArgMax()}): only {@code B} ids cross to the host instead of
     * {@code B x V} logits. For plain greedy steps only (no processors to apply).
     */
    void argMaxOnly(boolean on) {
        this.argMaxOnly = on;
    }

    /** The ids picked on the device by the last argmax-only prefill or step. */
    long[] lastArgMax() {
        return lastArgMax;
    }

    /** Runs the prompt through the decoder (filling the cache); returns last-position logits {@code [B * V]}. */
    float[] prefill(NDArray inputsEmbeds, NDArray attentionMask) {
        NDArray logits = decoder.forwardLast(inputsEmbeds, attentionMask, cache);
        try {
            return toHost(logits, attentionMask.getShape().get(0));
        } finally {
            logits.close();
        }
    }

    /**
     * Keeps/duplicates cached rows: running row {@code i} becomes old row {@code oldRows[i]}.
     */
    void reorder(int[] oldRows) {
        try (NDManager step = call.newSubManager()) {
            long[] idx = new long[oldRows.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = oldRows[i];
            }
            cache.reorder(step.create(idx));
        }
    }

    /**
     * Feeds one new token per running row and returns the next logits {@code [rows * V]}.
     *
     * @param tokens the token of each running row
     * @param promptRowOf the prompt row each running row continues
     */
    float[] step(long[] tokens, int[] promptRowOf) {
        generated++;
        int rows = tokens.length;
        int width = promptLen + generated;
        try (NDManager step = call.newSubManager()) {
            long[] mask = new long[rows * width];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(promptMask, promptRowOf[i] * promptLen, mask, i * width, promptLen);
                for (int j = promptLen; j < width; j++) {
                    mask[i * width + j] = 1L;
                }
            }
            NDArray ids = step.create(tokens, new Shape(rows, 1));
            NDArray embeds = decoder.embed(ids);
            NDArray maskArray = step.create(mask, new Shape(rows, width));
            NDArray logits = decoder.forwardLast(embeds, maskArray, cache);
            return toHost(logits, rows);
        }
    }

    private float[] toHost(NDArray logits, long rows) {
        if (argMaxOnly) {
            lastArgMax = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
            if (lastArgMax.length != rows) {
                throw new IllegalStateException("decoder returned last-position logits of shape " + logits.getShape()
                        + ", expected [" + rows + ", " + vocab + "]");
            }
            return null;
        }
        if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != rows || logits.getShape().get(1) != vocab) {
            throw new IllegalStateException("decoder returned last-position logits of shape " + logits.getShape()
                    + ", expected [" + rows + ", " + vocab + "]");
        }
        NDArray f = logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
        return f.toFloatArray();
    }

    int vocab() {
        return vocab;
    }

    @Override
    public void close() {
        cache.close();
    }
}
