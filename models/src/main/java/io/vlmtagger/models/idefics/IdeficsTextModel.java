package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.llama.LlamaDecoder;
import io.vlmtagger.models.llama.LlamaDecoderLayer;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.nn.RmsNorm;
import io.vlmtagger.models.nn.Rotary;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * IDEFICS' text side: decoupled embeddings, Llama layers ({@link LlamaDecoderLayer}, shared with
 * LLaVA) with a {@link GatedCrossAttentionBlock} in front of every {@code cross_layer_interval}-th
 * one, final RMSNorm, decoupled head. Positions and the causal mask are Llama's ({@link
 * LlamaDecoder#positionIds}, {@link Masks#causal}). Only the self-attention is cached.
 */
public final class IdeficsTextModel {
    private final IdeficsConfig config;
    private final DecoupledEmbedding embeddings;
    private final List<LlamaDecoderLayer> layers;
    private final List<GatedCrossAttentionBlock> gatedBlocks;
    private final RmsNorm norm;
    private final Rotary rotary;

    /**
     * @param model weights prefixed to {@code model.}
     * @param lmHead weights prefixed to {@code lm_head.}
     */
    public IdeficsTextModel(Weights model, Weights lmHead, IdeficsConfig config) {
        this.config = config;
        LlamaConfig text = config.text();
        int h = text.hiddenSize();
        this.embeddings = new DecoupledEmbedding(model.sub("embed_tokens."), lmHead, text.vocabSize(),
                config.additionalVocabSize(), h, text.tieWordEmbeddings());
        List<LlamaDecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < text.numHiddenLayers(); i++) {
            list.add(new LlamaDecoderLayer(model.sub("layers." + i + "."), text, i));
        }
        this.layers = List.copyOf(list);
        int imageDim = config.vision().hiddenSize();
        List<GatedCrossAttentionBlock> blocks = new ArrayList<>();
        for (int i = 0; i < config.numGatedBlocks(); i++) {
            blocks.add(new GatedCrossAttentionBlock(model.sub("gated_cross_attn_layers." + i + "."), config, imageDim));
        }
        this.gatedBlocks = List.copyOf(blocks);
        this.norm = RmsNorm.load(model.sub("norm."), h, (float) text.rmsNormEps());
        this.rotary = new Rotary(text.headDim(), text.ropeTheta());
    }

    /** Every gated block's image keys and values ({@link GatedCrossAttentionBlock#imageKeysValues}), in {@code target}. */
    public List<NDList> imageKeysValues(NDArray imageStates, NDManager target) {
        List<NDList> out = new ArrayList<>(gatedBlocks.size());
        for (GatedCrossAttentionBlock block : gatedBlocks) {
            out.add(block.imageKeysValues(imageStates, target));
        }
        return out;
    }

    public NDArray embed(NDArray inputIds) {
        return embeddings.embed(inputIds);
    }

    public NDArray logits(NDArray hidden) {
        return embeddings.logits(hidden).toType(DataType.FLOAT32, false);
    }

    public int numLayers() {
        return layers.size();
    }

    /**
     * The final-norm hidden states {@code [B, T, hidden]}.
     *
     * @param attentionMask {@code [B, P + T]} int64 over cached and new positions
     * @param cache the self-attention cache, or null
     * @param image the image context for the T new positions
     * @param probe receives, when not null, each text layer's input (before its gated block) and
     *     then, for each gated block, its cross-attention output and its output (for inspection)
     */
    public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask, LayerKvCache cache, ImageContext image,
            Probe probe) {
        long newLength = inputsEmbeds.getShape().get(1);
        long total = attentionMask.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        if (past + newLength != total) {
            throw new IllegalArgumentException("attention mask covers " + total + " positions but the cache holds "
                    + past + " and " + newLength + " are new");
        }
        NDArray mask64 = attentionMask.getDataType() == DataType.INT64
                ? attentionMask : attentionMask.toType(DataType.INT64, false);
        DataType type = inputsEmbeds.getDataType();
        NDArray positions = LlamaDecoder.positionIds(mask64).get(":, {}:", past);
        NDList cosSin = rotary.cosSin(positions, type);
        NDArray mask = Masks.causal(mask64, newLength, type);
        if (cache != null) {
            cache.bind(inputsEmbeds.getManager());
        }
        int interval = config.crossLayerInterval();
        NDArray h = inputsEmbeds;
        for (int i = 0; i < layers.size(); i++) {
            if (probe != null) {
                probe.layerInput(i, h);
            }
            if (i % interval == 0) {
                GatedCrossAttentionBlock block = gatedBlocks.get(i / interval);
                NDList kv = image.keysValues().get(i / interval);
                if (probe != null) {
                    probe.crossAttention(i / interval, block.crossAttention(h, kv, image.additiveMask(),
                            image.attendsImage()));
                }
                h = CallScope.apply(h, in -> block.forward(in, kv, image.additiveMask(), image.attendsImage()));
                if (probe != null) {
                    probe.gatedBlockOutput(i / interval, h);
                }
            }
            LlamaDecoderLayer layer = layers.get(i);
            h = CallScope.apply(h, in -> layer.forward(in, cosSin, mask, cache));
        }
        return norm.forward(h);
    }

    /** Intermediate tensors, for parity checks; the arrays live in the call's manager. */
    public interface Probe {
        default void layerInput(int layer, NDArray input) {}

        default void crossAttention(int block, NDArray output) {}

        default void gatedBlockOutput(int block, NDArray output) {}
    }
}
