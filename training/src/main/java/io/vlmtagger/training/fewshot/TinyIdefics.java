package io.vlmtagger.training.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.training.CheckpointWriter;
import io.vlmtagger.training.TinyVocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The tiny IDEFICS of the few-shot tagger: its {@code config.json} (transformers 4.40's
 * {@code IdeficsConfig} layout), the other checkpoint files, and its initial weights under the
 * checkpoint's own names (every key the serving {@code IdeficsModel} reads, plus the vision
 * {@code post_layernorm} transformers stores).
 *
 * <p>Vision: the CLIP tower of the shipped tiny LLaVA ({@code tiny-llava-shapes}: image 96, patch 32,
 * so 3 x 3 patches, one per cell of the scene grid; width 64, 2 layers, 4 heads, quick GELU), as
 * IDEFICS starts from a pretrained CLIP. Perceiver resampler: 4 latents, depth 1, 2 heads of 32.
 * Text: Llama width {@code hidden}, 2 layers, 4 heads, a gated cross-attention block in front of
 * each; the token embeddings are tied to the head ({@code tie_word_embeddings}).
 */
public final class TinyIdefics {
    public static final int IMAGE_SIZE = 96;
    public static final int PATCH = 32;
    public static final int VISION_WIDTH = 64;
    public static final int MAX_POSITIONS = 128;
    /** The weight name of the base token embeddings (frozen in training, see {@link FewShotVocabulary}). */
    public static final String EMBEDDINGS = "model.embed_tokens.weight";
    /** Prefix of the vision tower's weights (taken from a LLaVA checkpoint, frozen in training). */
    public static final String VISION = "model.vision_model.";
    private static final String LLAVA_VISION = "vision_tower.vision_model.";

    /** Text width, layers and seed of the initialisation. */
    public record Sizes(int hidden, int layers, int heads, int latents) {
        public static final Sizes DEFAULT = new Sizes(128, 2, 4, 4);
    }

    private TinyIdefics() {}

    /** Writes every checkpoint file but the weights into {@code dir}. */
    public static void writeFiles(Path dir, Sizes s) throws IOException {
        CheckpointDirectory d = CheckpointDirectory.at(dir);
        CheckpointWriter.writeTextFiles(d, FewShotVocabulary.allTokens(), FewShotVocabulary.specials(), MAX_POSITIONS);
        d.writePreprocessor(CheckpointDirectory.ImageProcessor.IDEFICS, IMAGE_SIZE).writeConfig(config(s));
    }

    /** {@code IdeficsForVisionText2Text} configuration. */
    public static ObjectNode config(Sizes s) {
        ObjectNode c = CheckpointDirectory.newObject();
        c.putArray("architectures").add("IdeficsForVisionText2Text");
        c.put("model_type", "idefics");
        c.put("vocab_size", FewShotVocabulary.baseTokens().size()).put("additional_vocab_size", 2)
                .put("hidden_size", s.hidden()).put("intermediate_size", 2 * s.hidden())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads())
                .put("max_position_embeddings", MAX_POSITIONS).put("rms_norm_eps", 1e-6)
                .put("hidden_act", "silu").put("dropout", 0.0)
                .put("pad_token_id", TinyVocabulary.PAD_ID).put("bos_token_id", TinyVocabulary.BOS_ID)
                .put("eos_token_id", TinyVocabulary.EOS_ID).put("tie_word_embeddings", true)
                .put("cross_layer_interval", 1).put("qk_layer_norms", false).put("alpha_type", "float")
                .put("alpha_initializer", "ones").put("use_resampler", true)
                .put("freeze_text_layers", false).put("freeze_vision_layers", false).put("freeze_lm_head", false)
                .put("torch_dtype", "float32").put("transformers_version", "4.40.2").put("use_cache", true);
        c.putObject("vision_config").put("model_type", "idefics").put("embed_dim", VISION_WIDTH)
                .put("image_size", IMAGE_SIZE).put("patch_size", PATCH).put("num_hidden_layers", 2)
                .put("num_attention_heads", 4).put("intermediate_size", 4 * VISION_WIDTH)
                .put("hidden_act", "quick_gelu").put("layer_norm_eps", 1e-5);
        c.putObject("perceiver_config").put("model_type", "idefics").put("use_resampler", true)
                .put("resampler_n_latents", s.latents()).put("resampler_depth", 1).put("resampler_n_heads", 2)
                .put("resampler_head_dim", 32).put("qk_layer_norms_perceiver", false);
        return c;
    }

    /**
     * Initial weights: the vision tower of the LLaVA checkpoint in {@code llava} (its
     * {@code vision_tower.vision_model.*} under IDEFICS' {@code model.vision_model.*}); the rest
     * seeded: linear weights N(0, 1/fan_in) (self-attention values and outputs: the identity plus
     * N(0, 0.02)), norms 1 (LayerNorm biases 0), latents N(0, 0.2), token embeddings N(0, 1) in the first
     * half of the channels and 0 in the second (a label's random code never blurs the image
     * information the gated blocks write into the rest: matching the query to an exemplar reads that part),
     * gates {@code alpha} 1, and the final norm {@code 1/sqrt(hidden)} so that the tied head starts
     * with logits of about unit scale.
     */
    public static Map<String, NDArray> initialWeights(NDManager m, Sizes s, long seed, Path llava) throws IOException {
        Init t = new Init(m, new Random(seed), new LinkedHashMap<>());
        int v = VISION_WIDTH;
        SafetensorsFile llavaWeights = SafetensorsFile.open(llava.resolve("model.safetensors"));
        for (String key : llavaWeights.entries().keySet()) {
            if (key.startsWith(LLAVA_VISION)) { // only the vision tower: the rest of LLaVA is not read
                String name = VISION + key.substring(LLAVA_VISION.length());
                NDArray a = llavaWeights.readStored(m, key);
                a.setName(name);
                t.out().put(name, a);
            }
        }
        if (t.out().isEmpty()) {
            throw new IllegalArgumentException(llava + " holds no " + LLAVA_VISION + "* weights: give a LLaVA checkpoint");
        }
        String r = "model.perceiver_resampler.";
        int inner = 2 * 32;
        t.normal(r + "latents", 0.2f, s.latents(), v);
        t.layerNorm(r + "layer_norm.", v);
        String a = r + "blocks.0.0.";
        t.layerNorm(a + "context_layer_norm.", v);
        t.layerNorm(a + "latents_layer_norm.", v);
        t.linear(a + "q_proj.", inner, v, false);
        t.linear(a + "k_proj.", inner, v, false);
        t.linear(a + "v_proj.", inner, v, false);
        t.linear(a + "output_proj.", v, inner, false);
        String f = r + "blocks.0.1.";
        t.layerNorm(f + "ln.", v);
        t.linear(f + "fc.", 4 * v, v, false);
        t.linear(f + "c_proj.", v, 4 * v, false);

        int h = s.hidden();
        t.halfNormal(EMBEDDINGS, FewShotVocabulary.baseTokens().size(), h);
        t.normal("model.embed_tokens.additional_embedding.weight", 1f, 2, h);
        t.constant("model.norm.weight", (float) (1 / Math.sqrt(h)), h);
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            t.constant(p + "input_layernorm.weight", 1f, h);
            t.constant(p + "post_attention_layernorm.weight", 1f, h);
            t.linear(p + "self_attn.q_proj.", h, h, false);
            t.linear(p + "self_attn.k_proj.", h, h, false);
            // values and outputs start near the identity: attention copies what it attends (a label's
            // embedding) from the first step, so the copy the task needs is there to be refined
            t.identity(p + "self_attn.v_proj.weight", h);
            t.identity(p + "self_attn.o_proj.weight", h);
            t.mlp(p + "mlp.", h);
            String g = "model.gated_cross_attn_layers." + i + ".";
            t.constant(g + "alpha_cross_attn", 1f, 1);
            t.constant(g + "alpha_dense", 1f, 1);
            t.constant(g + "input_layernorm.weight", 1f, h);
            t.constant(g + "post_attention_layernorm.weight", 1f, h);
            t.linear(g + "cross_attn.q_proj.", h, h, false);
            t.linear(g + "cross_attn.k_proj.", h, v, false);
            t.linear(g + "cross_attn.v_proj.", h, v, false);
            t.linear(g + "cross_attn.o_proj.", h, h, false);
            t.mlp(g + "mlp.", h);
        }
        return t.out();
    }

    /** Seeded tensor factory writing into one map. */
    private record Init(NDManager m, Random random, Map<String, NDArray> out) {
        void normal(String name, float std, long... shape) {
            float[] values = new float[(int) new Shape(shape).size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = std * (float) random.nextGaussian();
            }
            put(name, values, shape);
        }

        void identity(String name, int dim) {
            float[] values = new float[dim * dim];
            for (int i = 0; i < values.length; i++) {
                values[i] = 0.02f * (float) random.nextGaussian();
            }
            for (int i = 0; i < dim; i++) {
                values[i * dim + i] += 1f;
            }
            put(name, values, new long[] {dim, dim});
        }

        /** N(0, 1) in the first half of each row, 0 in the second (left to image information). */
        void halfNormal(String name, int rows, int dim) {
            float[] values = new float[rows * dim];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < dim / 2; c++) {
                    values[r * dim + c] = (float) random.nextGaussian();
                }
            }
            put(name, values, new long[] {rows, dim});
        }

        void constant(String name, float value, long... shape) {
            float[] values = new float[(int) new Shape(shape).size()];
            java.util.Arrays.fill(values, value);
            put(name, values, shape);
        }

        void linear(String prefix, int outFeatures, int inFeatures, boolean bias) {
            normal(prefix + "weight", (float) (1 / Math.sqrt(inFeatures)), outFeatures, inFeatures);
            if (bias) {
                constant(prefix + "bias", 0f, outFeatures);
            }
        }

        void layerNorm(String prefix, int dim) {
            constant(prefix + "weight", 1f, dim);
            constant(prefix + "bias", 0f, dim);
        }

        void mlp(String prefix, int h) {
            linear(prefix + "gate_proj.", 2 * h, h, false);
            linear(prefix + "up_proj.", 2 * h, h, false);
            linear(prefix + "down_proj.", h, 2 * h, false);
        }

        private void put(String name, float[] values, long[] shape) {
            NDArray a = m.create(values, new Shape(shape));
            a.setName(name);
            out.put(name, a);
        }
    }
}
