package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.kernels.KernelDecoder;
import io.vlmtagger.models.kernels.KernelModule;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.nn.Rotary;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama language model ({@code LlamaForCausalLM}) as a {@code CausalDecoder} whose forward pass
 * is {@code llama.ts}'s {@code lm_forward} (one kernel call for the whole stack): token embedding,
 * RMSNorm pre-norm blocks with rotary attention (grouped-query when {@code num_key_value_heads <
 * num_attention_heads}) and a SwiGLU MLP, final norm, {@code lm_head}.
 *
 * <p>Positions are {@code cumsum(mask) - 1}, 1 at padding (transformers' Llama), computed over
 * the whole mask so that left padding and cached steps agree. Masks are finite (see {@link
 * Masks}). Holds weights only; thread-safe.
 */
public final class LlamaDecoder extends KernelDecoder {
    private final LlamaConfig config;

    /**
     * @param model weights prefixed to the Llama body ({@code model.} in a plain checkpoint,
     *     {@code language_model.model.} in LLaVA)
     * @param lmHead weights prefixed to the head ({@code lm_head.}); when it has no {@code weight}
     *     and {@code tie_word_embeddings} is set, the token embedding is used
     */
    public LlamaDecoder(Weights model, Weights lmHead, LlamaConfig config) {
        super(Kernels.load(model.store().device(), KernelModule.LLAMA), weights(model, lmHead, checked(model, config)),
                new long[] {
                    config.numHiddenLayers(), config.numAttentionHeads(), config.numKeyValueHeads(),
                    Activation.fromConfig(config.hiddenAct()).kernelCode()
                },
                new double[] {config.rmsNormEps(), Masks.minValue(model.dataType())},
                new Geometry(config.numHiddenLayers(), config.numKeyValueHeads(), config.headDim(),
                        config.vocabSize(), config.maxPositionEmbeddings(), model.dataType()),
                model.manager());
        this.config = config;
    }

    private static LlamaConfig checked(Weights model, LlamaConfig config) {
        if (config.hasRopeScaling()) {
            throw new CheckpointException("checkpoint " + model.store().checkpoint() + ": rope_scaling "
                    + config.ropeScaling() + " is not supported (plain rotary only)");
        }
        return config;
    }

    /** The weight list of {@code llama.ts} (see its header), with shape checks against {@code c}. */
    private static List<NDArray> weights(Weights model, Weights lmHead, LlamaConfig c) {
        int h = c.hiddenSize();
        NDArray embed = model.get("embed_tokens.weight", c.vocabSize(), h); // [V, H]
        List<NDArray> list = new ArrayList<>();
        list.add(embed);
        list.add(model.get("norm.weight", h));
        list.add(lmHead.contains("weight") || !c.tieWordEmbeddings() ? lmHead.get("weight", c.vocabSize(), h) : embed);
        float[] invFreq = new Rotary(c.headDim(), c.ropeTheta()).inverseFrequencies();
        list.add(model.manager().create(invFreq, new Shape(invFreq.length))); // float32 [hd / 2]
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            list.addAll(new LlamaBlock(model.sub("layers." + i + "."), c).weights());
        }
        return list;
    }

    public LlamaConfig config() {
        return config;
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
}
