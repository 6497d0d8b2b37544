package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;

/**
 * A decoder-only language model as {@link Generator} drives it: OPT inside BLIP-2, Llama inside
 * LLaVA (and IDEFICS). Implementations hold only weights; everything per call lives in the
 * {@link ai.djl.ndarray.NDManager} of the arrays passed in (the call's manager), never in the
 * model's manager.
 *
 * <p>Positions are derived from the attention mask inside the decoder, as transformers does for
 * each architecture (OPT: {@code cumsum(mask) * mask - 1 + 2}; Llama: {@code cumsum(mask) - 1},
 * 1 at padding), so that left padding never shifts the positions of real tokens.
 */
public interface CausalDecoder {

    /** Token embeddings: ids {@code [B, T]} int64 -> {@code [B, T, H]} in the compute dtype. */
    NDArray embed(NDArray inputIds);

    /**
     * One forward pass over {@code T} new positions.
     *
     * @param inputsEmbeds {@code [B, T, H]}
     * @param attentionMask {@code [B, P + T]} int64, 1 = real token, 0 = padding, covering the
     *     {@code P} positions already in {@code cache} followed by the {@code T} new ones
     * @param cache past keys and values, or {@code null} to run without a cache; when given, the
     *     new keys and values are appended to it
     * @return logits {@code [B, T, V]} as float32
     */
    NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache);

    /**
     * Like {@link #forward} but returns only the logits of the last of the {@code T} new positions,
     * {@code [B, V]} float32: all that generation needs. The default slices {@link #forward}'s
     * output; decoders should override it to apply the LM head to the last position only, which
     * saves a {@code [B, T, V]} projection in every prefill.
     */
    default NDArray forwardLast(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        NDArray all = forward(inputsEmbeds, attentionMask, cache);
        NDArray last = all.get(":, -1, :");
        all.close();
        return last;
    }

    /** An empty cache for this decoder; its arrays will live in the manager of the first forward's inputs. */
    KvCache newCache();

    int vocabSize();

    /** Longest sequence (prompt + generated) the position scheme supports. */
    int maxPositions();
}
