package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.Embedding;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.nn.Rotary;
import io.vlmtagger.models.nn.RmsNorm;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama language model ({@code LlamaForCausalLM}) as a {@link CausalDecoder}: token embedding,
 * RMSNorm pre-norm blocks with rotary attention and a SwiGLU MLP, final norm, {@code lm_head}.
 *
 * <p>Positions are {@code cumsum(mask) - 1}, 1 at padding (transformers' Llama), computed over
 * the whole mask so that left padding and cached steps agree. Masks are finite (see {@link
 * Masks}). Holds weights only; thread-safe.
 */
public final class LlamaDecoder implements CausalDecoder {
    private final LlamaConfig config;
    private final Embedding embedTokens;
    private final List<LlamaDecoderLayer> layers;
    private final RmsNorm norm;
    private final Linear lmHead;
    private final Rotary rotary;

    /**
     * @param model weights prefixed to the Llama body ({@code model.} in a plain checkpoint,
     *     {@code language_model.model.} in LLaVA)
     * @param lmHead weights prefixed to the head ({@code lm_head.}); when it has no {@code weight}
     *     and {@code tie_word_embeddings} is set, the token embedding is used
     */
    public LlamaDecoder(Weights model, Weights lmHead, LlamaConfig config) {
        if (config.hasRopeScaling()) {
            throw new CheckpointException("checkpoint " + model.store().checkpoint() + ": rope_scaling "
                    + config.ropeScaling() + " is not supported (plain rotary only)");
        }
        this.config = config;
        int h = config.hiddenSize();
        this.embedTokens = Embedding.load(model.sub("embed_tokens."), config.vocabSize(), h);
        List<LlamaDecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            list.add(new LlamaDecoderLayer(model.sub("layers." + i + "."), config, i));
        }
        this.layers = List.copyOf(list);
        this.norm = RmsNorm.load(model.sub("norm."), h, (float) config.rmsNormEps());
        if (lmHead.contains("weight") || !config.tieWordEmbeddings()) {
            this.lmHead = Linear.loadNoBias(lmHead, config.vocabSize(), h);
        } else {
            this.lmHead = new Linear(embedTokens.weight(), null);
        }
        this.rotary = new Rotary(config.headDim(), config.ropeTheta());
    }

    public LlamaConfig config() {
        return config;
    }

    public List<LlamaDecoderLayer> layers() {
        return layers;
    }

    @Override
    public NDArray embed(NDArray inputIds) {
        return embedTokens.forward(inputIds);
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        return lmHead.forward(hiddenStates(inputsEmbeds, attentionMask, cache)).toType(DataType.FLOAT32, false);
    }

    /** The final-norm hidden states {@code [B, T, hidden]}; same arguments as {@link #forward}. */
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        LayerKvCache layerCache = asLayerCache(cache);
        long newLength = inputsEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        long past = layerCache == null ? 0 : layerCache.length();
        if (past + newLength != total) {
            throw new IllegalArgumentException("attention mask covers " + total + " positions but the cache holds "
                    + past + " and " + newLength + " are new");
        }
        NDArray mask64 = attentionMask.getDataType() == DataType.INT64
                ? attentionMask : attentionMask.toType(DataType.INT64, false);
        DataType type = inputsEmbeds.getDataType();
        NDArray positions = positionIds(mask64).get(":, {}:", past); // [B, T]
        NDList cosSin = rotary.cosSin(positions, type);
        NDArray mask = Masks.causal(mask64, newLength, type);
        if (layerCache != null) {
            layerCache.bind(inputsEmbeds.getManager()); // cached keys/values outlive each layer's scope
        }
        NDArray h = inputsEmbeds;
        for (LlamaDecoderLayer layer : layers) {
            // each layer's temporaries are freed when it returns (peak ~ one layer of activations)
            h = CallScope.apply(h, in -> layer.forward(in, cosSin, mask, layerCache));
        }
        return norm.forward(h);
    }

    /** {@code cumsum(mask) - 1}, with 1 where the mask is 0 (transformers' Llama/LLaVA position ids). */
    public static NDArray positionIds(NDArray attentionMask) {
        NDArray mask64 = attentionMask.getDataType() == DataType.INT64
                ? attentionMask : attentionMask.toType(DataType.INT64, false);
        NDArray positions = mask64.cumSum(1).sub(1);
        NDArray isPad = mask64.eq(0);
        return positions.mul(isPad.logicalNot().toType(DataType.INT64, false))
                .add(isPad.toType(DataType.INT64, false));
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
        if (cache == null) {
            return null;
        }
        if (cache instanceof LayerKvCache lkc) {
            return lkc;
        }
        throw new IllegalArgumentException("LlamaDecoder needs the cache from its newCache(), got "
                + cache.getClass().getName());
    }
}
