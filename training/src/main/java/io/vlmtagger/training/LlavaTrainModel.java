package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.Embedding;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.Masks;
import io.vlmtagger.models.nn.RmsNorm;
import io.vlmtagger.models.nn.Rotary;
import java.util.ArrayList;
import java.util.List;

/**
 * A differentiable forward of {@code LlavaForConditionalGeneration} (transformers 4.40, eager)
 * over a {@link ParameterSet} keyed by the checkpoint's parameter names: CLIP vision tower (hidden
 * state of {@code vision_feature_layer}, class token dropped for the "default" strategy),
 * two-layer projector, Llama (RMSNorm, rotary, SwiGLU, untied lm_head). For training only.
 */
final class LlavaTrainModel {
    private final LlavaConfig config;
    private final NDArray patchWeight;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;
    private final LayerNorm preLayerNorm;
    private final List<ClipLayer> visionLayers = new ArrayList<>();
    private final Linear projector1;
    private final Linear projector2;
    private final Activation projectorAct;
    private final Embedding embedTokens;
    private final List<LlamaLayer> textLayers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;
    private final Rotary rotary;

    LlavaTrainModel(LlavaConfig config, ParameterSet p) {
        this.config = config;
        ClipVisionConfig v = config.vision();
        int d = v.hiddenSize();
        String vp = "vision_tower.vision_model.";
        patchWeight = p.normal(vp + "embeddings.patch_embedding.weight",
                TrainBlocks.fanInStd(3L * v.patchSize() * v.patchSize()), d, 3, v.patchSize(), v.patchSize());
        classEmbedding = p.normal(vp + "embeddings.class_embedding", TrainBlocks.POSITION_STD, d);
        positionEmbedding = p.normal(vp + "embeddings.position_embedding.weight", TrainBlocks.POSITION_STD, v.numPositions(), d);
        preLayerNorm = TrainBlocks.layerNorm(p, vp + "pre_layrnorm.", d, v.layerNormEps());
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            visionLayers.add(new ClipLayer(p, vp + "encoder.layers." + i + ".", v));
        }
        // post_layernorm exists in the checkpoint (transformers creates it) but LLaVA never uses it
        TrainBlocks.layerNorm(p, vp + "post_layernorm.", d, v.layerNormEps());
        LlamaConfig t = config.text();
        projector1 = TrainBlocks.linear(p, "multi_modal_projector.linear_1.", t.hiddenSize(), d, true);
        projector2 = TrainBlocks.linear(p, "multi_modal_projector.linear_2.", t.hiddenSize(), t.hiddenSize(), true);
        projectorAct = Activation.fromConfig(config.projectorHiddenAct());
        String tp = "language_model.model.";
        embedTokens = new Embedding(p.normal(tp + "embed_tokens.weight", TrainBlocks.INIT_STD, t.vocabSize(), t.hiddenSize()));
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            textLayers.add(new LlamaLayer(p, tp + "layers." + i + ".", t));
        }
        norm = new RmsNorm(p.ones(tp + "norm.weight", t.hiddenSize()), (float) t.rmsNormEps());
        lmHead = TrainBlocks.linear(p, "language_model.lm_head.", t.vocabSize(), t.hiddenSize(), false);
        rotary = new Rotary(t.headDim(), t.ropeTheta());
    }

    LlavaConfig config() {
        return config;
    }

    /** Hidden states of the vision tower: {@code [embeddings after pre_layrnorm, layer 1, ..., layer L]}. */
    List<NDArray> visionHiddenStates(NDArray pixels) {
        NDManager m = pixels.getManager();
        NDArray patches = TrainBlocks.patchEmbed(pixels, patchWeight, null, config.vision().patchSize());
        long b = patches.getShape().get(0);
        long d = patches.getShape().get(2);
        NDArray cls = TrainBlocks.broadcastInto(m, classEmbedding, new Shape(b, 1, d));
        NDArray h = preLayerNorm.forward(cls.concat(patches, 1).add(positionEmbedding)); // [B, N + 1, D]
        List<NDArray> states = new ArrayList<>();
        states.add(h);
        for (ClipLayer layer : visionLayers) {
            h = layer.forward(h);
            states.add(h);
        }
        return states;
    }

    /** Pixels {@code [B, 3, H, W]} -> projected image features {@code [B, N, H_lm]}. */
    NDArray imageFeatures(NDArray pixels) {
        return project(selectedFeatures(pixels));
    }

    /** Pixels -> the vision features the projector reads {@code [B, N, D]} (layer and strategy from the config). */
    NDArray selectedFeatures(NDArray pixels) {
        List<NDArray> states = visionHiddenStates(pixels);
        int layer = config.visionFeatureLayer();
        NDArray selected = states.get(layer < 0 ? states.size() + layer : layer);
        if (config.visionFeatureSelectStrategy().equals("default")) {
            selected = selected.get(":, 1:, :");
        }
        return selected;
    }

    /** Vision features {@code [B, N, D]} -> projected image features {@code [B, N, H_lm]}. */
    NDArray project(NDArray selected) {
        return projector2.forward(projectorAct.apply(projector1.forward(selected)));
    }

    NDArray embed(NDArray ids) {
        return embedTokens.forward(ids);
    }

    /**
     * Llama on {@code embeds [B, S, H]} with {@code attentionMask [B, S]} (int64) and {@code
     * positionIds [B, S]}: logits {@code [B, S, V]}.
     */
    NDArray logits(NDArray embeds, NDArray attentionMask, NDArray positionIds) {
        long s = attentionMask.getShape().get(1);
        NDArray mask = Masks.causal(attentionMask, s, DataType.FLOAT32);
        NDList cosSin = rotary.cosSin(positionIds, DataType.FLOAT32);
        NDArray h = embeds;
        for (LlamaLayer layer : textLayers) {
            h = layer.forward(h, mask, cosSin.get(0), cosSin.get(1));
        }
        return lmHead.forward(norm.forward(h));
    }

    private static final class ClipLayer {
        private final LayerNorm norm1;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear out;
        private final LayerNorm norm2;
        private final Linear fc1;
        private final Linear fc2;
        private final Activation act;
        private final int heads;

        ClipLayer(ParameterSet p, String prefix, ClipVisionConfig c) {
            int d = c.hiddenSize();
            norm1 = TrainBlocks.layerNorm(p, prefix + "layer_norm1.", d, c.layerNormEps());
            q = TrainBlocks.linear(p, prefix + "self_attn.q_proj.", d, d, true);
            k = TrainBlocks.linear(p, prefix + "self_attn.k_proj.", d, d, true);
            v = TrainBlocks.linear(p, prefix + "self_attn.v_proj.", d, d, true);
            out = TrainBlocks.linear(p, prefix + "self_attn.out_proj.", d, d, true);
            norm2 = TrainBlocks.layerNorm(p, prefix + "layer_norm2.", d, c.layerNormEps());
            fc1 = TrainBlocks.linear(p, prefix + "mlp.fc1.", c.intermediateSize(), d, true);
            fc2 = TrainBlocks.linear(p, prefix + "mlp.fc2.", d, c.intermediateSize(), true);
            act = Activation.fromConfig(c.hiddenAct());
            heads = c.numAttentionHeads();
        }

        NDArray forward(NDArray x) {
            NDArray n = norm1.forward(x);
            NDArray h = x.add(out.forward(TrainBlocks.attend(q.forward(n), k.forward(n), v.forward(n), heads, null)));
            return h.add(fc2.forward(act.apply(fc1.forward(norm2.forward(h)))));
        }
    }

    private static final class LlamaLayer {
        private final RmsNorm inputNorm;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear o;
        private final RmsNorm postNorm;
        private final Linear gate;
        private final Linear up;
        private final Linear down;
        private final Activation act;
        private final int heads;
        private final int kvHeads;
        private final int headDim;

        LlamaLayer(ParameterSet p, String prefix, LlamaConfig c) {
            int d = c.hiddenSize();
            heads = c.numAttentionHeads();
            kvHeads = c.numKeyValueHeads();
            headDim = c.headDim();
            inputNorm = new RmsNorm(p.ones(prefix + "input_layernorm.weight", d), (float) c.rmsNormEps());
            q = TrainBlocks.linear(p, prefix + "self_attn.q_proj.", (long) heads * headDim, d, c.attentionBias());
            k = TrainBlocks.linear(p, prefix + "self_attn.k_proj.", (long) kvHeads * headDim, d, c.attentionBias());
            v = TrainBlocks.linear(p, prefix + "self_attn.v_proj.", (long) kvHeads * headDim, d, c.attentionBias());
            o = TrainBlocks.linear(p, prefix + "self_attn.o_proj.", d, (long) heads * headDim, c.attentionBias());
            postNorm = new RmsNorm(p.ones(prefix + "post_attention_layernorm.weight", d), (float) c.rmsNormEps());
            gate = TrainBlocks.linear(p, prefix + "mlp.gate_proj.", c.intermediateSize(), d, false);
            up = TrainBlocks.linear(p, prefix + "mlp.up_proj.", c.intermediateSize(), d, false);
            down = TrainBlocks.linear(p, prefix + "mlp.down_proj.", d, c.intermediateSize(), false);
            act = Activation.fromConfig(c.hiddenAct());
        }

        NDArray forward(NDArray x, NDArray mask, NDArray cos, NDArray sin) {
            NDArray n = inputNorm.forward(x);
            NDArray qh = Rotary.apply(Attention.splitHeads(q.forward(n), heads), cos, sin); // [B, h, S, d]
            NDArray kh = Rotary.apply(Attention.splitHeads(k.forward(n), kvHeads), cos, sin);
            NDArray vh = Attention.splitHeads(v.forward(n), kvHeads);
            int rep = heads / kvHeads;
            NDArray att = Attention.attend(qh, Attention.repeatKv(kh, rep), Attention.repeatKv(vh, rep), mask,
                    (float) (1 / Math.sqrt(headDim)));
            NDArray h = x.add(o.forward(Attention.mergeHeads(att)));
            NDArray m = postNorm.forward(h);
            return h.add(down.forward(act.apply(gate.forward(m)).mul(up.forward(m))));
        }
    }
}
