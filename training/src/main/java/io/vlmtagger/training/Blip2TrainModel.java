package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.config.QFormerConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Embedding;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.Masks;
import java.util.ArrayList;
import java.util.List;

/**
 * A differentiable forward of {@code Blip2ForConditionalGeneration} (transformers 4.40, eager) over
 * a {@link ParameterSet} keyed by the checkpoint's parameter names: ViT vision tower, Q-Former over
 * the learned query tokens, language projection, OPT decoder (pre-LN, learned positions offset 2,
 * lm_head tied to the token embedding). For training only; serving loads the saved checkpoint
 * through the model package. Checked against transformers' own outputs on the parity fixture.
 */
final class Blip2TrainModel {
    private final Blip2Config config;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;
    private final List<VisionLayer> visionLayers = new ArrayList<>();
    private final LayerNorm postLayerNorm;
    private final NDArray queryTokens;
    private final LayerNorm qformerLayerNorm;
    private final List<QFormerLayer> qformerLayers = new ArrayList<>();
    private final Linear languageProjection;
    private final Embedding embedTokens;
    private final Embedding embedPositions;
    private final List<OptLayer> optLayers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;

    Blip2TrainModel(Blip2Config config, ParameterSet p) {
        this.config = config;
        Blip2VisionConfig v = config.vision();
        int d = v.hiddenSize();
        String vp = "vision_model.";
        patchWeight = p.normal(vp + "embeddings.patch_embedding.weight",
                TrainBlocks.fanInStd(3L * v.patchSize() * v.patchSize()), d, 3, v.patchSize(), v.patchSize());
        patchBias = p.zeros(vp + "embeddings.patch_embedding.bias", d);
        classEmbedding = p.normal(vp + "embeddings.class_embedding", TrainBlocks.POSITION_STD, 1, 1, d);
        positionEmbedding = p.normal(vp + "embeddings.position_embedding", TrainBlocks.POSITION_STD, 1, v.numPositions(), d);
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            visionLayers.add(new VisionLayer(p, vp + "encoder.layers." + i + ".", v));
        }
        postLayerNorm = TrainBlocks.layerNorm(p, vp + "post_layernorm.", d, v.layerNormEps());

        QFormerConfig q = config.qformer();
        queryTokens = p.normal("query_tokens", 1f, 1, config.numQueryTokens(), q.hiddenSize());
        qformerLayerNorm = TrainBlocks.layerNorm(p, "qformer.layernorm.", q.hiddenSize(), q.layerNormEps());
        for (int i = 0; i < q.numHiddenLayers(); i++) {
            qformerLayers.add(new QFormerLayer(p, "qformer.encoder.layer." + i + ".", q, q.hasCrossAttention(i)));
        }

        OptConfig t = config.text();
        if (t.hasProjections() || !t.doLayerNormBefore() || !t.hasFinalLayerNorm()) {
            throw new IllegalArgumentException("the training forward supports pre-LN OPT with word_embed_proj_dim = hidden_size");
        }
        languageProjection = TrainBlocks.linear(p, "language_projection.", t.hiddenSize(), q.hiddenSize(), true);
        String tp = "language_model.model.decoder.";
        embedTokens = new Embedding(p.normal(tp + "embed_tokens.weight", TrainBlocks.INIT_STD, t.vocabSize(), t.hiddenSize()));
        embedPositions = new Embedding(p.normal(tp + "embed_positions.weight", TrainBlocks.INIT_STD,
                t.positionTableRows(), t.hiddenSize()));
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            optLayers.add(new OptLayer(p, tp + "layers." + i + ".", t));
        }
        finalLayerNorm = TrainBlocks.layerNorm(p, tp + "final_layer_norm.", t.hiddenSize(), 1e-5);
    }

    Blip2Config config() {
        return config;
    }

    /** {@code [B, 3, H, W] -> [B, N + 1, D]}: the vision tower's last hidden state after post_layernorm. */
    NDArray vision(NDArray pixels) {
        NDManager m = pixels.getManager();
        NDArray patches = TrainBlocks.patchEmbed(pixels, patchWeight, patchBias, config.vision().patchSize());
        long b = patches.getShape().get(0);
        long d = patches.getShape().get(2);
        NDArray cls = TrainBlocks.broadcastInto(m, classEmbedding, new Shape(b, 1, d));
        NDArray h = cls.concat(patches, 1).add(positionEmbedding); // [B, N + 1, D]
        for (VisionLayer layer : visionLayers) {
            h = layer.forward(h);
        }
        return postLayerNorm.forward(h);
    }

    /** Pixels {@code [B, 3, H, W]} -> soft prompt {@code [B, Q, H_lm]}. */
    NDArray softPrompt(NDArray pixels) {
        return softPromptOf(vision(pixels));
    }

    /** The vision tower's output {@code [B, N + 1, D]} -> soft prompt {@code [B, Q, H_lm]}. */
    NDArray softPromptOf(NDArray image) {
        long b = image.getShape().get(0);
        NDArray queries = TrainBlocks.broadcastInto(image.getManager(), queryTokens,
                new Shape(b, queryTokens.getShape().get(1), queryTokens.getShape().get(2)));
        NDArray h = qformerLayerNorm.forward(queries);
        for (QFormerLayer layer : qformerLayers) {
            h = layer.forward(h, image);
        }
        return languageProjection.forward(h);
    }

    /** Token ids {@code [B, T]} -> embeddings {@code [B, T, H]}. */
    NDArray embed(NDArray ids) {
        return embedTokens.forward(ids);
    }

    /**
     * The OPT decoder on {@code embeds [B, S, H]} with {@code attentionMask [B, S]} (int64, 1 = real):
     * logits {@code [B, S, V]}. Positions count the real tokens, as OPT's learned positional embedding.
     */
    NDArray logits(NDArray embeds, NDArray attentionMask) {
        long s = attentionMask.getShape().get(1);
        NDArray positions = attentionMask.cumSum(1).mul(attentionMask).sub(1).add(OptConfig.POSITION_OFFSET);
        NDArray h = embeds.add(embedPositions.forward(positions)); // [B, S, H]
        NDArray mask = Masks.causal(attentionMask, s, DataType.FLOAT32);
        for (OptLayer layer : optLayers) {
            h = layer.forward(h, mask);
        }
        h = finalLayerNorm.forward(h);
        return new Linear(embedTokens.weight(), null).forward(h); // tied lm_head
    }

    private static final class VisionLayer {
        private final LayerNorm norm1;
        private final Linear qkv;
        private final Linear projection;
        private final LayerNorm norm2;
        private final Linear fc1;
        private final Linear fc2;
        private final Activation act;
        private final int heads;

        VisionLayer(ParameterSet p, String prefix, Blip2VisionConfig v) {
            int d = v.hiddenSize();
            norm1 = TrainBlocks.layerNorm(p, prefix + "layer_norm1.", d, v.layerNormEps());
            qkv = TrainBlocks.linear(p, prefix + "self_attn.qkv.", 3L * d, d, v.qkvBias());
            projection = TrainBlocks.linear(p, prefix + "self_attn.projection.", d, d, true);
            norm2 = TrainBlocks.layerNorm(p, prefix + "layer_norm2.", d, v.layerNormEps());
            fc1 = TrainBlocks.linear(p, prefix + "mlp.fc1.", v.intermediateSize(), d, true);
            fc2 = TrainBlocks.linear(p, prefix + "mlp.fc2.", d, v.intermediateSize(), true);
            act = Activation.fromConfig(v.hiddenAct());
            heads = v.numAttentionHeads();
        }

        NDArray forward(NDArray x) {
            long d = x.getShape().get(2);
            NDArray qkvOut = qkv.forward(norm1.forward(x)); // [B, T, 3D]: q | k | v
            NDArray q = qkvOut.get(":, :, :{}", d);
            NDArray k = qkvOut.get(":, :, {}:{}", d, 2 * d);
            NDArray v = qkvOut.get(":, :, {}:", 2 * d);
            NDArray h = x.add(projection.forward(TrainBlocks.attend(q, k, v, heads, null)));
            return h.add(fc2.forward(act.apply(fc1.forward(norm2.forward(h)))));
        }
    }

    private static final class QFormerLayer {
        private final Linear query;
        private final Linear key;
        private final Linear value;
        private final Linear dense;
        private final LayerNorm norm;
        private final Linear crossQuery;
        private final Linear crossKey;
        private final Linear crossValue;
        private final Linear crossDense;
        private final LayerNorm crossNorm;
        private final Linear intermediate;
        private final Linear output;
        private final LayerNorm outputNorm;
        private final Activation act;
        private final int heads;

        QFormerLayer(ParameterSet p, String prefix, QFormerConfig q, boolean cross) {
            int d = q.hiddenSize();
            double eps = q.layerNormEps();
            query = TrainBlocks.linear(p, prefix + "attention.attention.query.", d, d, true);
            key = TrainBlocks.linear(p, prefix + "attention.attention.key.", d, d, true);
            value = TrainBlocks.linear(p, prefix + "attention.attention.value.", d, d, true);
            dense = TrainBlocks.linear(p, prefix + "attention.output.dense.", d, d, true);
            norm = TrainBlocks.layerNorm(p, prefix + "attention.output.LayerNorm.", d, eps);
            if (cross) {
                int e = q.encoderHiddenSize();
                crossQuery = TrainBlocks.linear(p, prefix + "crossattention.attention.query.", d, d, true);
                crossKey = TrainBlocks.linear(p, prefix + "crossattention.attention.key.", d, e, true);
                crossValue = TrainBlocks.linear(p, prefix + "crossattention.attention.value.", d, e, true);
                crossDense = TrainBlocks.linear(p, prefix + "crossattention.output.dense.", d, d, true);
                crossNorm = TrainBlocks.layerNorm(p, prefix + "crossattention.output.LayerNorm.", d, eps);
            } else {
                crossQuery = crossKey = crossValue = crossDense = null;
                crossNorm = null;
            }
            intermediate = TrainBlocks.linear(p, prefix + "intermediate_query.dense.", q.intermediateSize(), d, true);
            output = TrainBlocks.linear(p, prefix + "output_query.dense.", d, q.intermediateSize(), true);
            outputNorm = TrainBlocks.layerNorm(p, prefix + "output_query.LayerNorm.", d, eps);
            act = Activation.fromConfig(q.hiddenAct());
            heads = q.numAttentionHeads();
        }

        /** BERT-style post-LN block: self-attention, cross-attention to {@code image}, feed-forward. */
        NDArray forward(NDArray x, NDArray image) {
            NDArray self = TrainBlocks.attend(query.forward(x), key.forward(x), value.forward(x), heads, null);
            NDArray h = norm.forward(dense.forward(self).add(x));
            if (crossQuery != null) {
                NDArray cross = TrainBlocks.attend(crossQuery.forward(h), crossKey.forward(image),
                        crossValue.forward(image), heads, null);
                h = crossNorm.forward(crossDense.forward(cross).add(h));
            }
            return outputNorm.forward(output.forward(act.apply(intermediate.forward(h))).add(h));
        }
    }

    private static final class OptLayer {
        private final LayerNorm attnNorm;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear out;
        private final LayerNorm ffnNorm;
        private final Linear fc1;
        private final Linear fc2;
        private final Activation act;
        private final int heads;

        OptLayer(ParameterSet p, String prefix, OptConfig t) {
            int d = t.hiddenSize();
            attnNorm = TrainBlocks.layerNorm(p, prefix + "self_attn_layer_norm.", d, 1e-5);
            q = TrainBlocks.linear(p, prefix + "self_attn.q_proj.", d, d, t.enableBias());
            k = TrainBlocks.linear(p, prefix + "self_attn.k_proj.", d, d, t.enableBias());
            v = TrainBlocks.linear(p, prefix + "self_attn.v_proj.", d, d, t.enableBias());
            out = TrainBlocks.linear(p, prefix + "self_attn.out_proj.", d, d, t.enableBias());
            ffnNorm = TrainBlocks.layerNorm(p, prefix + "final_layer_norm.", d, 1e-5);
            fc1 = TrainBlocks.linear(p, prefix + "fc1.", t.ffnDim(), d, t.enableBias());
            fc2 = TrainBlocks.linear(p, prefix + "fc2.", d, t.ffnDim(), t.enableBias());
            act = Activation.fromConfig(t.activationFunction());
            heads = t.numAttentionHeads();
        }

        NDArray forward(NDArray x, NDArray mask) {
            NDArray n = attnNorm.forward(x);
            NDArray h = x.add(out.forward(TrainBlocks.attend(q.forward(n), k.forward(n), v.forward(n), heads, mask)));
            return h.add(fc2.forward(act.apply(fc1.forward(ffnNorm.forward(h)))));
        }
    }
}
