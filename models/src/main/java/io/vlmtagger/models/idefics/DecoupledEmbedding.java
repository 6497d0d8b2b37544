package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.nn.Embedding;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * IDEFICS' decoupled vocabulary: ids below {@code vocab_size} use {@code embed_tokens.weight}, ids
 * {@code vocab_size + k} use {@code additional_embedding.weight[k]}; the head scores both, {@code
 * logits = [x W^T ; x W_additional^T]} ({@code lm_head.weight}, {@code lm_head.additional_fc.weight},
 * no biases). Stored as one table / one weight concatenated at load, so a lookup or a head is one op.
 */
public final class DecoupledEmbedding {
    private final Embedding table;
    private final Linear head;
    private final int totalVocab;

    /**
     * @param embed weights prefixed to {@code model.embed_tokens.}
     * @param lmHead weights prefixed to {@code lm_head.}; when it has no {@code weight} and
     *     {@code tie_word_embeddings} is set, the (concatenated) embedding table scores the logits
     */
    public DecoupledEmbedding(Weights embed, Weights lmHead, int vocab, int additional, int hidden, boolean tie) {
        this.totalVocab = vocab + additional;
        NDArray base = embed.get("weight", vocab, hidden);
        NDArray all = additional == 0 ? base
                : base.concat(embed.get("additional_embedding.weight", additional, hidden), 0);
        all.attach(embed.manager());
        this.table = new Embedding(all);
        if (!lmHead.contains("weight") && tie) {
            this.head = new Linear(all, null);
        } else {
            NDArray w = lmHead.get("weight", vocab, hidden);
            // a tied checkpoint may store lm_head.weight but not additional_fc (tied to additional_embedding)
            NDArray extra = additional == 0 ? null
                    : !lmHead.contains("additional_fc.weight") && tie
                            ? embed.get("additional_embedding.weight", additional, hidden)
                            : lmHead.get("additional_fc.weight", additional, hidden);
            NDArray headAll = extra == null ? w : w.concat(extra, 0);
            headAll.attach(lmHead.manager());
            this.head = new Linear(headAll, null);
        }
    }

    /** ids {@code [B, T]} int64 in {@code [0, vocab + additional)} -> {@code [B, T, hidden]}. */
    public NDArray embed(NDArray ids) {
        return table.forward(ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false));
    }

    /** {@code [..., hidden] -> [..., vocab + additional]}. */
    public NDArray logits(NDArray hidden) {
        return head.forward(hidden);
    }

    public int totalVocab() {
        return totalVocab;
    }
}
