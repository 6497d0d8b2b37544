package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.Embedding;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The OPT language model of BLIP-2 ({@code language_model.}), as a {@link CausalDecoder}.
 *
 * <p>Embedding space: {@link #embed} and the {@code inputsEmbeds} of {@link #forward} have width
 * {@code word_embed_proj_dim} (equal to {@code hidden_size} unless the checkpoint has
 * {@code project_in}/{@code project_out}). Positions come from the attention mask:
 * {@code cumsum(mask) * mask - 1}, looked up at {@code + 2} in {@code embed_positions}, so left
 * padding does not shift real tokens. {@code lm_head} is tied to {@code embed_tokens} when
 * {@code tie_word_embeddings} (OPT's default), else read from {@code language_model.lm_head.weight}.
 *
 * <p>Holds only weights; thread-safe. Pass a {@link LayerKvCache} from {@link #newCache()}.
 */
public final class OptDecoder implements CausalDecoder {
    private final OptConfig config;
    private final Embedding embedTokens;
    private final Embedding embedPositions;
    private final Linear projectIn;
    private final Linear projectOut;
    private final List<OptDecoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;
    private final Linear lmHead;
    private final DataType dataType;

    /** @param w weights under {@code language_model.} */
    OptDecoder(Weights w, OptConfig c) {
        this.config = c;
        this.dataType = w.dataType();
        Weights dec = w.sub("model.decoder.");
        int e = c.wordEmbedProjDim();
        int d = c.hiddenSize();
        this.embedTokens = Embedding.load(dec.sub("embed_tokens."), c.vocabSize(), e);
        this.embedPositions = Embedding.load(dec.sub("embed_positions."), c.positionTableRows(), d);
        this.projectIn = c.hasProjections() ? Linear.loadNoBias(dec.sub("project_in."), d, e) : null;
        this.projectOut = c.hasProjections() ? Linear.loadNoBias(dec.sub("project_out."), e, d) : null;
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new OptDecoderLayer(dec.sub("layers." + i + "."), c, i));
        }
        this.finalLayerNorm = c.hasFinalLayerNorm() ? layerNorm(dec.sub("final_layer_norm."), c) : null;
        this.lmHead = new Linear(c.tieWordEmbeddings() ? embedTokens.weight() : w.get("lm_head.weight", c.vocabSize(), e), null);
    }

    static LayerNorm layerNorm(Weights w, OptConfig c) {
        return c.layerNormElementwiseAffine()
                ? LayerNorm.load(w, c.hiddenSize(), 1e-5f)
                : LayerNorm.nonAffine(w, c.hiddenSize(), 1e-5f);
    }

    public OptConfig config() {
        return config;
    }

    /** {@code ids [B, T]} int64 -> {@code [B, T, word_embed_proj_dim]} in the compute dtype. */
    @Override
    public NDArray embed(NDArray inputIds) {
        return embedTokens.forward(inputIds);
    }

    /** Decoder hidden states after the final layer norm / project_out: {@code [B, T, word_embed_proj_dim]}. */
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        LayerKvCache layerCache = asLayerCache(cache);
        long t = inputsEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        long past = total - t;
        if (layerCache != null && layerCache.length() != past) {
            throw new IllegalArgumentException("attention mask covers " + total + " positions but the cache holds "
                    + layerCache.length() + " and " + t + " are new");
        }
        NDArray mask = attentionMask.toType(DataType.INT64, false);
        // positions = cumsum(mask) * mask - 1 (padding -> -1), new positions only, offset 2
        NDArray positions = mask.cumSum(1).mul(mask).sub(1).get(new NDIndex(":, {}:", past)); // [B, T]
        NDArray pos = embedPositions.forward(positions.add(OptConfig.POSITION_OFFSET)); // [B, T, D]
        NDArray x = inputsEmbeds.getDataType() == dataType ? inputsEmbeds : inputsEmbeds.toType(dataType, false);
        if (projectIn != null) {
            x = projectIn.forward(x);
        }
        NDArray h = x.add(pos);
        NDArray additive = Masks.causal(mask, t, dataType); // [B, 1, T, P + T]
        if (layerCache != null) {
            layerCache.bind(inputsEmbeds.getManager());
        }
        for (OptDecoderLayer layer : layers) {
            h = CallScope.apply(h, in -> layer.forward(in, additive, layerCache));
        }
        if (finalLayerNorm != null) {
            h = finalLayerNorm.forward(h);
        }
        return projectOut != null ? projectOut.forward(h) : h;
    }

    /** {@inheritDoc} Logits {@code [B, T, vocab]} as float32. */
    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        NDArray logits = lmHead.forward(hiddenStates(inputsEmbeds, attentionMask, cache));
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    /** {@inheritDoc} The LM head runs on the last position only: {@code [B, V]} float32. */
    @Override
    public NDArray forwardLast(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        NDArray hidden = hiddenStates(inputsEmbeds, attentionMask, cache);
        long t = hidden.getShape().get(1);
        NDArray logits = lmHead.forward(hidden.get(new NDIndex(":, {}, :", t - 1))); // [B, V]
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    @Override
    public KvCache newCache() {
        return new LayerKvCache(layers.size());
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxPositions() {
        return config.maxPositionEmbeddings();
    }

    private static LayerKvCache asLayerCache(KvCache cache) {
        if (cache == null || cache instanceof LayerKvCache) {
            return (LayerKvCache) cache;
        }
        throw new IllegalArgumentException("OptDecoder needs the cache from its newCache(), got " + cache.getClass());
    }
}
