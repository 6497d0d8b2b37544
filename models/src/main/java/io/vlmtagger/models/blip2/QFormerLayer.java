package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qformer.encoder.layer.N} for query tokens only, as {@code qformer.ts} reads it: BERT
 * self-attention ({@code attention.attention.{query,key,value}} fused into one matrix, then the
 * post-LN {@code attention.output}), cross-attention to the image on layers with {@code N %
 * cross_attention_frequency == 0} ({@code key}/{@code value} fused, mapping from the vision width),
 * then the query feed-forward {@code intermediate_query} / {@code output_query} (post-LN). The
 * text-branch {@code intermediate}/{@code output} weights are not used for query-only input.
 */
final class QFormerLayer {
    private final List<NDArray> weights = new ArrayList<>(20);

    QFormerLayer(Weights w, QFormerConfig c, int index) {
        int d = c.hiddenSize();
        int f = c.intermediateSize();
        Weights self = w.sub("attention.");
        weights.add(fuse(self.sub("attention."), "weight", "query", "key", "value", d, d));
        weights.add(fuse(self.sub("attention."), "bias", "query", "key", "value", d));
        addOutput(self.sub("output."), d);
        if (c.hasCrossAttention(index)) {
            Weights cross = w.sub("crossattention.");
            int dv = c.encoderHiddenSize();
            weights.add(cross.get("attention.query.weight", d, d));
            weights.add(cross.get("attention.query.bias", d));
            weights.add(fuse(cross.sub("attention."), "weight", null, "key", "value", d, dv));
            weights.add(fuse(cross.sub("attention."), "bias", null, "key", "value", d));
            addOutput(cross.sub("output."), d);
        }
        weights.add(w.get("intermediate_query.dense.weight", f, d));
        weights.add(w.get("intermediate_query.dense.bias", f));
        weights.add(w.get("output_query.dense.weight", d, f));
        weights.add(w.get("output_query.dense.bias", d));
        weights.add(w.get("output_query.LayerNorm.weight", d));
        weights.add(w.get("output_query.LayerNorm.bias", d));
    }

    /** This layer's arrays (6 + 8 with cross-attention + 6), in {@code qformer.ts}'s order. */
    List<NDArray> weights() {
        return weights;
    }

    private void addOutput(Weights out, int d) {
        weights.add(out.get("dense.weight", d, d));
        weights.add(out.get("dense.bias", d));
        weights.add(out.get("LayerNorm.weight", d));
        weights.add(out.get("LayerNorm.bias", d));
    }

    /** The named projections' {@code kind} stacked along the rows (a null name is skipped); parts freed. */
    private static NDArray fuse(Weights attn, String kind, String first, String second, String third, long... shape) {
        List<NDArray> parts = new ArrayList<>(3);
        for (String name : new String[] {first, second, third}) {
            if (name != null) {
                parts.add(attn.take(name + "." + kind, shape));
            }
        }
        return Weights.fuse(parts);
    }
}
