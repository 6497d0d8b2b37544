package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.kernels.KernelDecoder;
import io.vlmtagger.models.kernels.KernelModule;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The OPT language model of BLIP-2 ({@code language_model.}), as a {@code CausalDecoder} whose
 * forward pass is {@code opt.ts}'s {@code lm_forward} (one kernel call for the whole stack).
 *
 * <p>Embedding space: {@link #embed} and the {@code inputsEmbeds} of {@link #forward} have width
 * {@code word_embed_proj_dim} (equal to {@code hidden_size} unless the checkpoint has
 * {@code project_in}/{@code project_out}). Positions come from the attention mask:
 * {@code cumsum(mask) * mask - 1}, looked up at {@code + 2} in {@code embed_positions}, so left
 * padding does not shift real tokens. {@code lm_head} is tied to {@code embed_tokens} when
 * {@code tie_word_embeddings} (OPT's default), else read from {@code language_model.lm_head.weight}.
 *
 * <p>Holds only weights; thread-safe.
 */
public final class OptDecoder extends KernelDecoder {
    private static final float LAYER_NORM_EPS = 1e-5f;
    private final OptConfig config;

    /** @param w weights under {@code language_model.} */
    OptDecoder(Weights w, OptConfig c) {
        super(Kernels.load(w.store().device(), KernelModule.OPT), weights(w, c), settings(c), new double[] {LAYER_NORM_EPS, Masks.minValue(w.dataType())},
                new Geometry(c.numHiddenLayers(), c.numAttentionHeads(), c.headDim(), c.vocabSize(),
                        c.maxPositionEmbeddings(), w.dataType()), w.manager());
        this.config = c;
    }

    public OptConfig config() {
        return config;
    }

    /** The weight list of {@code opt.ts} (see its header), with shape checks against {@code c}. */
    private static List<NDArray> weights(Weights w, OptConfig c) {
        Weights dec = w.sub("model.decoder.");
        int e = c.wordEmbedProjDim();
        int d = c.hiddenSize();
        NDArray embedTokens = dec.get("embed_tokens.weight", c.vocabSize(), e); // [V, E]
        List<NDArray> list = new ArrayList<>();
        list.add(embedTokens);
        list.add(dec.get("embed_positions.weight", c.positionTableRows(), d)); // [max_pos + 2, D]
        if (c.hasFinalLayerNorm()) {
            NDArray[] ln = OptDecoderLayer.layerNorm(dec.sub("final_layer_norm."), c);
            list.add(ln[0]);
            list.add(ln[1]);
        } else {
            list.add(empty(w));
            list.add(empty(w));
        }
        list.add(c.hasProjections() ? dec.get("project_in.weight", d, e) : empty(w)); // [D, E]
        list.add(c.hasProjections() ? dec.get("project_out.weight", e, d) : empty(w)); // [E, D]
        list.add(c.tieWordEmbeddings() ? embedTokens : w.get("lm_head.weight", c.vocabSize(), e)); // [V, E]
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            list.addAll(new OptDecoderLayer(dec.sub("layers." + i + "."), c).weights());
        }
        return list;
    }

    private static long[] settings(OptConfig c) {
        return new long[] {
            c.numHiddenLayers(), c.numAttentionHeads(), c.doLayerNormBefore() ? 1 : 0,
            Activation.fromConfig(c.activationFunction()).kernelCode(), c.hasFinalLayerNorm() ? 1 : 0,
            c.hasProjections() ? 1 : 0
        };
    }

    private static NDArray empty(Weights w) {
        return w.manager().create(new Shape(0), w.dataType());
    }
}
