package io.vlmtagger.training;

import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.config.QFormerConfig;

/**
 * The parameters of the tiny BLIP-2 and LLaVA before training: every key of the checkpoint
 * transformers writes (the layout {@link CheckpointWriter} saves and the serving classes load), with
 * its shape and initialisation, declared in a {@link ParameterSet}. No layer math lives here: the
 * trainers compute with the serving {@code Blip2Model} / {@code LlavaModel} built over these
 * parameters.
 *
 * <p>Initialisation: linear weights N(0, {@link TrainBlocks#fanInStd 1/sqrt(fan_in)}), biases 0,
 * norm weights 1 (biases 0), token and position tables N(0, {@value #INIT_STD}) as transformers'
 * {@code initializer_range}, the vision towers' class and position embeddings N(0, {@value
 * #POSITION_STD}), BLIP-2's query tokens N(0, 1). For a parameter the set already holds (a run
 * continued from a checkpoint) only the shape is checked. Declaration order fixes which random
 * numbers each parameter draws, so a seed gives the same initial weights every time.
 */
final class InitialWeights {
    /** Token and position tables (transformers' initializer_range). */
    static final float INIT_STD = 0.02f;
    /** Position and class embeddings of the vision towers. */
    static final float POSITION_STD = 0.2f;

    private InitialWeights() {}

    /** {@code Blip2ForConditionalGeneration} (pre-LN OPT, {@code word_embed_proj_dim = hidden_size}). */
    static void blip2(ParameterSet p, Blip2Config config) {
        OptConfig t = config.text();
        if (t.hasProjections() || !t.doLayerNormBefore() || !t.hasFinalLayerNorm()) {
            throw new IllegalArgumentException("the tiny BLIP-2 is a pre-LN OPT with word_embed_proj_dim = hidden_size");
        }
        Blip2VisionConfig v = config.vision();
        int d = v.hiddenSize();
        String vp = "vision_model.";
        p.normal(vp + "embeddings.patch_embedding.weight", TrainBlocks.fanInStd(3L * v.patchSize() * v.patchSize()),
                d, 3, v.patchSize(), v.patchSize());
        p.zeros(vp + "embeddings.patch_embedding.bias", d);
        p.normal(vp + "embeddings.class_embedding", POSITION_STD, 1, 1, d);
        p.normal(vp + "embeddings.position_embedding", POSITION_STD, 1, v.numPositions(), d);
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            String l = vp + "encoder.layers." + i + ".";
            layerNorm(p, l + "layer_norm1.", d);
            linear(p, l + "self_attn.qkv.", 3L * d, d, v.qkvBias());
            linear(p, l + "self_attn.projection.", d, d, true);
            vitMlp(p, l, d, v.intermediateSize());
        }
        layerNorm(p, vp + "post_layernorm.", d);

        QFormerConfig q = config.qformer();
        int h = q.hiddenSize();
        p.normal("query_tokens", 1f, 1, config.numQueryTokens(), h);
        layerNorm(p, "qformer.layernorm.", h);
        for (int i = 0; i < q.numHiddenLayers(); i++) {
            String l = "qformer.encoder.layer." + i + ".";
            bertAttention(p, l + "attention.", h, h);
            if (q.hasCrossAttention(i)) {
                bertAttention(p, l + "crossattention.", h, q.encoderHiddenSize());
            }
            linear(p, l + "intermediate_query.dense.", q.intermediateSize(), h, true);
            linear(p, l + "output_query.dense.", h, q.intermediateSize(), true);
            layerNorm(p, l + "output_query.LayerNorm.", h);
        }

        linear(p, "language_projection.", t.hiddenSize(), h, true);
        String tp = "language_model.model.decoder.";
        int e = t.hiddenSize();
        p.normal(tp + "embed_tokens.weight", INIT_STD, t.vocabSize(), e);
        p.normal(tp + "embed_positions.weight", INIT_STD, t.positionTableRows(), e);
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            String l = tp + "layers." + i + ".";
            layerNorm(p, l + "self_attn_layer_norm.", e);
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "out_proj."}) {
                linear(p, l + "self_attn." + proj, e, e, t.enableBias());
            }
            layerNorm(p, l + "final_layer_norm.", e);
            linear(p, l + "fc1.", t.ffnDim(), e, t.enableBias());
            linear(p, l + "fc2.", e, t.ffnDim(), t.enableBias());
        }
        layerNorm(p, tp + "final_layer_norm.", e); // lm_head is tied to embed_tokens
    }

    /** {@code LlavaForConditionalGeneration}: CLIP vision tower, two-layer projector, Llama with an untied head. */
    static void llava(ParameterSet p, LlavaConfig config) {
        ClipVisionConfig v = config.vision();
        int d = v.hiddenSize();
        String vp = "vision_tower.vision_model.";
        p.normal(vp + "embeddings.patch_embedding.weight", TrainBlocks.fanInStd(3L * v.patchSize() * v.patchSize()),
                d, 3, v.patchSize(), v.patchSize());
        p.normal(vp + "embeddings.class_embedding", POSITION_STD, d);
        p.normal(vp + "embeddings.position_embedding.weight", POSITION_STD, v.numPositions(), d);
        layerNorm(p, vp + "pre_layrnorm.", d);
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            String l = vp + "encoder.layers." + i + ".";
            layerNorm(p, l + "layer_norm1.", d);
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "out_proj."}) {
                linear(p, l + "self_attn." + proj, d, d, true);
            }
            vitMlp(p, l, d, v.intermediateSize());
        }
        // transformers creates (and saves) post_layernorm, but LLaVA never uses it
        layerNorm(p, vp + "post_layernorm.", d);

        LlamaConfig t = config.text();
        int h = t.hiddenSize();
        linear(p, "multi_modal_projector.linear_1.", h, d, true);
        linear(p, "multi_modal_projector.linear_2.", h, h, true);
        String tp = "language_model.model.";
        p.normal(tp + "embed_tokens.weight", INIT_STD, t.vocabSize(), h);
        long q = (long) t.numAttentionHeads() * t.headDim();
        long kv = (long) t.numKeyValueHeads() * t.headDim();
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            String l = tp + "layers." + i + ".";
            p.ones(l + "input_layernorm.weight", h);
            linear(p, l + "self_attn.q_proj.", q, h, t.attentionBias());
            linear(p, l + "self_attn.k_proj.", kv, h, t.attentionBias());
            linear(p, l + "self_attn.v_proj.", kv, h, t.attentionBias());
            linear(p, l + "self_attn.o_proj.", h, q, t.attentionBias());
            p.ones(l + "post_attention_layernorm.weight", h);
            linear(p, l + "mlp.gate_proj.", t.intermediateSize(), h, false);
            linear(p, l + "mlp.up_proj.", t.intermediateSize(), h, false);
            linear(p, l + "mlp.down_proj.", h, t.intermediateSize(), false);
        }
        p.ones(tp + "norm.weight", h);
        linear(p, "language_model.lm_head.", t.vocabSize(), h, false);
    }

    /** BERT attention of the Q-Former: query, key, value, output dense and its LayerNorm. */
    private static void bertAttention(ParameterSet p, String prefix, int hidden, int keyValueIn) {
        linear(p, prefix + "attention.query.", hidden, hidden, true);
        linear(p, prefix + "attention.key.", hidden, keyValueIn, true);
        linear(p, prefix + "attention.value.", hidden, keyValueIn, true);
        linear(p, prefix + "output.dense.", hidden, hidden, true);
        layerNorm(p, prefix + "output.LayerNorm.", hidden);
    }

    /** The second half of a ViT / CLIP encoder layer: {@code layer_norm2}, {@code mlp.fc1}, {@code mlp.fc2}. */
    private static void vitMlp(ParameterSet p, String layer, int hidden, int intermediate) {
        layerNorm(p, layer + "layer_norm2.", hidden);
        linear(p, layer + "mlp.fc1.", intermediate, hidden, true);
        linear(p, layer + "mlp.fc2.", hidden, intermediate, true);
    }

    private static void linear(ParameterSet p, String prefix, long out, long in, boolean bias) {
        TrainBlocks.linear(p, prefix, out, in, bias);
    }

    private static void layerNorm(ParameterSet p, String prefix, long dim) {
        p.ones(prefix + "weight", dim);
        p.zeros(prefix + "bias", dim);
    }
}
