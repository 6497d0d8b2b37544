package io.vlmtagger.models.idefics;

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
 * Writes a random IDEFICS checkpoint of any small layout, for what the shared fixture does not
 * cover: vector gates, {@code cross_layer_interval > 1}, no resampler, no q/k norms.
 */
final class TinyIdeficsCheckpoint {
    int visionHidden = 16;
    int visionHeads = 2;
    int visionLayers = 2;
    int imageSize = 16;
    int patchSize = 8;
    boolean useResampler = true;
    int latents = 4;
    int resamplerDepth = 1;
    int resamplerHeads = 2;
    int resamplerHeadDim = 6;
    boolean perceiverQkNorms = false;
    int hidden = 24;
    int heads = 3;
    int layers = 4;
    int interval = 2;
    boolean qkNorms = false;
    String alphaType = "vector";
    int vocab = 40;
    int additional = 2;
    boolean tieWordEmbeddings = false;
    long seed = 11;


    Path write(Path dir) throws IOException {
        ObjectNode c = CheckpointDirectory.newObject();
        c.put("model_type", "idefics").put("vocab_size", vocab).put("additional_vocab_size", additional)
                .put("hidden_size", hidden).put("intermediate_size", 2 * hidden).put("num_hidden_layers", layers)
                .put("num_attention_heads", heads).put("cross_layer_interval", interval)
                .put("qk_layer_norms", qkNorms).put("alpha_type", alphaType).put("use_resampler", useResampler)
                .put("tie_word_embeddings", tieWordEmbeddings).put("rms_norm_eps", 1e-6).put("pad_token_id", 0).put("bos_token_id", 1).put("eos_token_id", 2);
        c.putObject("vision_config").put("embed_dim", visionHidden).put("image_size", imageSize)
                .put("patch_size", patchSize).put("num_hidden_layers", visionLayers)
                .put("num_attention_heads", visionHeads).put("intermediate_size", 2 * visionHidden);
        c.putObject("perceiver_config").put("use_resampler", useResampler).put("resampler_n_latents", latents)
                .put("resampler_depth", resamplerDepth).put("resampler_n_heads", resamplerHeads)
                .put("resampler_head_dim", resamplerHeadDim).put("qk_layer_norms_perceiver", perceiverQkNorms);
        CheckpointDirectory out = CheckpointDirectory.at(dir).writeConfig(c);
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed((int) seed);
            out.writeWeights(weights(m), SafetensorsDtype.F32);
        }
        return dir;
    }

    private Map<String, NDArray> weights(NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        int patches = (imageSize / patchSize) * (imageSize / patchSize);
        String v = "model.vision_model.";
        w.put(v + "embeddings.class_embedding", rand(m, 0.5f, visionHidden));
        w.put(v + "embeddings.patch_embedding.weight", rand(m, 0.3f, visionHidden, 3, patchSize, patchSize));
        w.put(v + "embeddings.position_embedding.weight", rand(m, 0.5f, patches + 1, visionHidden));
        layerNorm(m, w, v + "pre_layrnorm.", visionHidden);
        layerNorm(m, w, v + "post_layernorm.", visionHidden);
        for (int i = 0; i < visionLayers; i++) {
            String p = v + "encoder.layers." + i + ".";
            layerNorm(m, w, p + "layer_norm1.", visionHidden);
            layerNorm(m, w, p + "layer_norm2.", visionHidden);
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "out_proj."}) {
                w.put(p + "self_attn." + proj + "weight", rand(m, 0.3f, visionHidden, visionHidden));
                w.put(p + "self_attn." + proj + "bias", rand(m, 0.05f, visionHidden));
            }
            w.put(p + "mlp.fc1.weight", rand(m, 0.3f, 2 * visionHidden, visionHidden));
            w.put(p + "mlp.fc1.bias", rand(m, 0.05f, 2 * visionHidden));
            w.put(p + "mlp.fc2.weight", rand(m, 0.3f, visionHidden, 2 * visionHidden));
            w.put(p + "mlp.fc2.bias", rand(m, 0.05f, visionHidden));
        }
        if (useResampler) {
            String r = "model.perceiver_resampler.";
            int inner = resamplerHeads * resamplerHeadDim;
            w.put(r + "latents", rand(m, 0.5f, latents, visionHidden));
            layerNorm(m, w, r + "layer_norm.", visionHidden);
            for (int i = 0; i < resamplerDepth; i++) {
                String a = r + "blocks." + i + ".0.";
                layerNorm(m, w, a + "context_layer_norm.", visionHidden);
                layerNorm(m, w, a + "latents_layer_norm.", visionHidden);
                if (perceiverQkNorms) {
                    layerNorm(m, w, a + "q_layer_norm.", resamplerHeadDim);
                    layerNorm(m, w, a + "k_layer_norm.", resamplerHeadDim);
                }
                w.put(a + "q_proj.weight", rand(m, 0.3f, inner, visionHidden));
                w.put(a + "k_proj.weight", rand(m, 0.3f, inner, visionHidden));
                w.put(a + "v_proj.weight", rand(m, 0.3f, inner, visionHidden));
                w.put(a + "output_proj.weight", rand(m, 0.3f, visionHidden, inner));
                String f = r + "blocks." + i + ".1.";
                layerNorm(m, w, f + "ln.", visionHidden);
                w.put(f + "fc.weight", rand(m, 0.3f, 4 * visionHidden, visionHidden));
                w.put(f + "c_proj.weight", rand(m, 0.3f, visionHidden, 4 * visionHidden));
            }
        }
        w.put("model.embed_tokens.weight", rand(m, 0.15f, vocab, hidden));
        w.put("model.embed_tokens.additional_embedding.weight", rand(m, 0.15f, additional, hidden));
        if (!tieWordEmbeddings) { // tied: the head is the (decoupled) embedding table
            w.put("lm_head.weight", rand(m, 0.3f, vocab, hidden));
            w.put("lm_head.additional_fc.weight", rand(m, 0.3f, additional, hidden));
        }
        w.put("model.norm.weight", ones(m, 0.1f, hidden));
        int headDim = hidden / heads;
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            w.put(p + "input_layernorm.weight", ones(m, 0.1f, hidden));
            w.put(p + "post_attention_layernorm.weight", ones(m, 0.1f, hidden));
            for (String proj : new String[] {"q_proj.", "k_proj.", "v_proj.", "o_proj."}) {
                w.put(p + "self_attn." + proj + "weight", rand(m, 0.3f, hidden, hidden));
            }
            mlp(m, w, p + "mlp.");
        }
        long[] gate = alphaType.equals("vector") ? new long[] {1, 1, hidden} : new long[] {1};
        for (int i = 0; i < layers / interval; i++) {
            String p = "model.gated_cross_attn_layers." + i + ".";
            w.put(p + "alpha_cross_attn", ones(m, 0.3f, gate).sub(0.5f));
            w.put(p + "alpha_dense", ones(m, 0.3f, gate).sub(0.5f));
            w.put(p + "input_layernorm.weight", ones(m, 0.1f, hidden));
            w.put(p + "post_attention_layernorm.weight", ones(m, 0.1f, hidden));
            w.put(p + "cross_attn.q_proj.weight", rand(m, 0.3f, hidden, hidden));
            w.put(p + "cross_attn.k_proj.weight", rand(m, 0.3f, hidden, visionHidden));
            w.put(p + "cross_attn.v_proj.weight", rand(m, 0.3f, hidden, visionHidden));
            w.put(p + "cross_attn.o_proj.weight", rand(m, 0.3f, hidden, hidden));
            if (qkNorms) {
                w.put(p + "cross_attn.q_layer_norm.weight", ones(m, 0.1f, headDim));
                w.put(p + "cross_attn.k_layer_norm.weight", ones(m, 0.1f, headDim));
            }
            mlp(m, w, p + "mlp.");
        }
        return w;
    }

    private void mlp(NDManager m, Map<String, NDArray> w, String p) {
        w.put(p + "gate_proj.weight", rand(m, 0.3f, 2 * hidden, hidden));
        w.put(p + "up_proj.weight", rand(m, 0.3f, 2 * hidden, hidden));
        w.put(p + "down_proj.weight", rand(m, 0.3f, hidden, 2 * hidden));
    }

    private static void layerNorm(NDManager m, Map<String, NDArray> w, String p, int dim) {
        w.put(p + "weight", ones(m, 0.1f, dim));
        w.put(p + "bias", rand(m, 0.05f, dim));
    }

    private static NDArray rand(NDManager m, float std, long... shape) {
        return m.randomNormal(0f, std, new Shape(shape), ai.djl.ndarray.types.DataType.FLOAT32);
    }

    private static NDArray ones(NDManager m, float std, long... shape) {
        return rand(m, std, shape).add(1f);
    }
}
