package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.kernels.CacheArgs;
import io.vlmtagger.models.kernels.KernelCall;
import io.vlmtagger.models.kernels.KernelModule;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.kernels.TensorList;
import io.vlmtagger.models.llama.LlamaBlock;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.nn.Rotary;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * IDEFICS' text side: decoupled embeddings, Llama layers with a {@link GatedCrossAttentionBlock} in
 * front of every {@code cross_layer_interval}-th one, final RMSNorm, decoupled head. The stack is
 * {@code idefics.ts}'s {@code idefics_forward} (one kernel call; the Llama layers are {@code
 * llama.ts}'s, the same as LLaVA's). Positions and the causal mask are Llama's. Only the
 * self-attention is cached. Holds weights only; thread-safe; close it to free its kernels.
 */
public final class IdeficsTextModel implements AutoCloseable {
    private final IdeficsConfig config;
    private final DecoupledEmbedding embeddings;
    private final Kernels kernels;
    private final TensorList weights;
    private final TensorList noCache;
    private final long[] cfg;
    private final double[] fcfg;
    private final int numLayers;
    private final DataType dataType;

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
        List<NDArray> list = new ArrayList<>();
        list.add(model.get("norm.weight", h));
        float[] invFreq = new Rotary(text.headDim(), text.ropeTheta()).inverseFrequencies();
        list.add(model.manager().create(invFreq, new Shape(invFreq.length)));
        for (int i = 0; i < text.numHiddenLayers(); i++) {
            list.addAll(new LlamaBlock(model.sub("layers." + i + "."), text).weights());
        }
        int imageDim = config.vision().hiddenSize();
        for (int i = 0; i < config.numGatedBlocks(); i++) {
            list.addAll(new GatedCrossAttentionBlock(model.sub("gated_cross_attn_layers." + i + "."), config, imageDim)
                    .weights());
        }
        this.numLayers = text.numHiddenLayers();
        this.dataType = model.dataType();
        this.kernels = Kernels.load(model.store().device(), KernelModule.IDEFICS);
        this.weights = kernels.list(list);
        this.noCache = CacheArgs.noCache(kernels, numLayers, dataType, model.manager());
        this.cfg = new long[] {
            numLayers, text.numAttentionHeads(), text.numKeyValueHeads(),
            Activation.fromConfig(text.hiddenAct()).kernelCode(), config.crossLayerInterval(),
            config.qkLayerNorms() ? 1 : 0
        };
        this.fcfg = new double[] {text.rmsNormEps(), Masks.minValue(dataType)};
    }

    /** Every gated block's image keys and values {@code [B, heads, S, headDim]}, in {@code target}. */
    public List<NDList> imageKeysValues(NDArray imageStates, NDManager target) {
        List<NDList> kv = kernels.call("idefics_image_kv").tensor(imageStates).list(weights).ints(cfg).floats(fcfg)
                .runTuple(target);
        List<NDList> out = new ArrayList<>(kv.get(0).size());
        for (int j = 0; j < kv.get(0).size(); j++) {
            out.add(new NDList(kv.get(0).get(j), kv.get(1).get(j)));
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
        return numLayers;
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
        NDArray mask64 = CacheArgs.mask(inputsEmbeds, attentionMask, cache);
        NDManager out = inputsEmbeds.getManager();
        NDList keys = new NDList();
        NDList values = new NDList();
        for (NDList kv : image.keysValues()) {
            keys.add(kv.get(0));
            values.add(kv.get(1));
        }
        try (CacheArgs caches = new CacheArgs(cache, noCache, numLayers, dataType, out)) {
            KernelCall call = kernels.call("idefics_forward").tensor(inputsEmbeds).tensor(mask64).list(weights)
                    .ints(cfg).floats(fcfg);
            caches.addTo(call).tensors(keys).tensors(values).tensor(image.additiveMask()).tensor(image.attendsImage())
                    .b(probe != null);
            List<NDList> result = call.runTuple(out);
            caches.store(result.get(1), result.get(2));
            if (probe != null) {
                report(result.get(3), probe);
            } else {
                result.get(3).close();
            }
            return result.get(0).singletonOrThrow();
        }
    }

    /** Hands the kernel's probe list (see {@code idefics_forward}) to {@code probe}, in order. */
    private void report(NDList probes, Probe probe) {
        int at = 0;
        for (int i = 0; i < numLayers; i++) {
            probe.layerInput(i, probes.get(at++));
            if (i % config.crossLayerInterval() == 0) {
                probe.crossAttention(i / config.crossLayerInterval(), probes.get(at++));
                probe.gatedBlockOutput(i / config.crossLayerInterval(), probes.get(at++));
            }
        }
    }

    @Override
    public void close() {
        weights.close();
        noCache.close();
        kernels.close();
    }

    /** Intermediate tensors, for parity checks; the arrays live in the call's manager. */
    public interface Probe {
        default void layerInput(int layer, NDArray input) {}

        default void crossAttention(int block, NDArray output) {}

        default void gatedBlockOutput(int block, NDArray output) {}
    }
}
