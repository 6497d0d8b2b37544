package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.SafetensorsDtype;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a random BLIP-2 checkpoint of any small shape, for layouts the shared fixture does not
 * cover: vision {@code q_bias}/{@code v_bias} instead of a fused {@code qkv.bias}, Q-Former
 * cross-attention every {@code freq} layers, OPT with {@code word_embed_proj_dim != hidden_size}
 * ({@code project_in}/{@code project_out}) and post-LN OPT ({@code do_layer_norm_before=false}).
 */
final class TinyBlip2Checkpoint {
    int visionHidden = 24;
    int visionHeads = 3;
    int visionLayers = 2;
    int imageSize = 16;
    int patchSize = 4;
    int qformerHidden = 20;
    int qformerHeads = 5;
    int qformerLayers = 3;
    int crossAttentionFrequency = 2;
    int queries = 4;
    int textHidden = 24;
    int textHeads = 6;
    int textLayers = 2;
    int wordEmbedProjDim = 16;
    int vocab = 37;
    int maxPositions = 40;
    boolean preLayerNorm = true;
    boolean separateQvBias = true;
    long seed = 7;


    Path write(Path dir) throws IOException {
        ObjectNode config = CheckpointDirectory.newObject();
        config.put("model_type", "blip-2");
        config.put("num_query_tokens", queries);
        ObjectNode v = config.putObject("vision_config");
        v.put("hidden_size", visionHidden).put("num_attention_heads", visionHeads).put("num_hidden_layers", visionLayers)
                .put("intermediate_size", 2 * visionHidden).put("image_size", imageSize).put("patch_size", patchSize);
        ObjectNode q = config.putObject("qformer_config");
        q.put("hidden_size", qformerHidden).put("num_attention_heads", qformerHeads).put("num_hidden_layers", qformerLayers)
                .put("intermediate_size", 2 * qformerHidden).put("cross_attention_frequency", crossAttentionFrequency)
                .put("encoder_hidden_size", visionHidden);
        ObjectNode t = config.putObject("text_config");
        t.put("model_type", "opt").put("hidden_size", textHidden).put("num_attention_heads", textHeads)
                .put("num_hidden_layers", textLayers).put("ffn_dim", 2 * textHidden).put("vocab_size", vocab)
                .put("max_position_embeddings", maxPositions).put("word_embed_proj_dim", wordEmbedProjDim)
                .put("do_layer_norm_before", preLayerNorm);
        CheckpointDirectory out = CheckpointDirectory.at(dir).writeConfig(config);
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed((int) seed);
            out.writeWeights(weights(m), SafetensorsDtype.F32);
        }
        return dir;
    }

    private Map<String, NDArray> weights(NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        int patches = (imageSize / patchSize) * (imageSize / patchSize);
        String ve = "vision_model.embeddings.";
        w.put(ve + "class_embedding", rand(m, 0.5f, 1, 1, visionHidden));
        w.put(ve + "patch_embedding.weight", rand(m, 0.3f, visionHidden, 3, patchSize, patchSize));
        w.put(ve + "patch_embedding.bias", rand(m, 0.05f, visionHidden));
        w.put(ve + "position_embedding", rand(m, 0.5f, 1, patches + 1, visionHidden));
        for (int i = 0; i < visionLayers; i++) {
            String p = "vision_model.encoder.layers." + i + ".";
            norm(m, w, p + "layer_norm1.", visionHidden);
            norm(m, w, p + "layer_norm2.", visionHidden);
            w.put(p + "self_attn.qkv.weight", rand(m, 0.3f, 3 * visionHidden, visionHidden));
            if (separateQvBias) {
                w.put(p + "self_attn.q_bias", rand(m, 0.05f, visionHidden));
                w.put(p + "self_attn.v_bias", rand(m, 0.05f, visionHidden));
            } else {
                w.put(p + "self_attn.qkv.bias", rand(m, 0.05f, 3 * visionHidden));
            }
            linear(m, w, p + "self_attn.projection.", visionHidden, visionHidden);
            linear(m, w, p + "mlp.fc1.", 2 * visionHidden, visionHidden);
            linear(m, w, p + "mlp.fc2.", visionHidden, 2 * visionHidden);
        }
        norm(m, w, "vision_model.post_layernorm.", visionHidden);
        w.put("query_tokens", rand(m, 0.5f, 1, queries, qformerHidden));
        norm(m, w, "qformer.layernorm.", qformerHidden);
        for (int i = 0; i < qformerLayers; i++) {
            String p = "qformer.encoder.layer." + i + ".";
            bertAttention(m, w, p + "attention.", qformerHidden);
            if (i % crossAttentionFrequency == 0) {
                bertAttention(m, w, p + "crossattention.", visionHidden);
            }
            linear(m, w, p + "intermediate_query.dense.", 2 * qformerHidden, qformerHidden);
            linear(m, w, p + "output_query.dense.", qformerHidden, 2 * qformerHidden);
            norm(m, w, p + "output_query.LayerNorm.", qformerHidden);
        }
        linear(m, w, "language_projection.", wordEmbedProjDim, qformerHidden);
        String d = "language_model.model.decoder.";
        w.put(d + "embed_tokens.weight", rand(m, 0.15f, vocab, wordEmbedProjDim));
        w.put(d + "embed_positions.weight", rand(m, 0.15f, maxPositions + 2, textHidden));
        if (wordEmbedProjDim != textHidden) {
            w.put(d + "project_in.weight", rand(m, 0.3f, textHidden, wordEmbedProjDim));
            w.put(d + "project_out.weight", rand(m, 0.3f, wordEmbedProjDim, textHidden));
        }
        for (int i = 0; i < textLayers; i++) {
            String p = d + "layers." + i + ".";
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "out_proj."}) {
                linear(m, w, p + "self_attn." + proj, textHidden, textHidden);
            }
            norm(m, w, p + "self_attn_layer_norm.", textHidden);
            norm(m, w, p + "final_layer_norm.", textHidden);
            linear(m, w, p + "fc1.", 2 * textHidden, textHidden);
            linear(m, w, p + "fc2.", textHidden, 2 * textHidden);
        }
        if (preLayerNorm) {
            norm(m, w, d + "final_layer_norm.", textHidden);
        }
        return w;
    }

    private void bertAttention(NDManager m, Map<String, NDArray> w, String p, int kvIn) {
        linear(m, w, p + "attention.query.", qformerHidden, qformerHidden);
        linear(m, w, p + "attention.key.", qformerHidden, kvIn);
        linear(m, w, p + "attention.value.", qformerHidden, kvIn);
        linear(m, w, p + "output.dense.", qformerHidden, qformerHidden);
        norm(m, w, p + "output.LayerNorm.", qformerHidden);
    }

    private static void linear(NDManager m, Map<String, NDArray> w, String p, int out, int in) {
        w.put(p + "weight", rand(m, 0.3f, out, in));
        w.put(p + "bias", rand(m, 0.05f, out));
    }

    private static void norm(NDManager m, Map<String, NDArray> w, String p, int dim) {
        w.put(p + "weight", rand(m, 0.1f, dim).add(1f));
        w.put(p + "bias", rand(m, 0.05f, dim));
    }

    private static NDArray rand(NDManager m, float std, long... shape) {
        return m.randomNormal(0f, std, new Shape(shape), ai.djl.ndarray.types.DataType.FLOAT32);
    }
}
