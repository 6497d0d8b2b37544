package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Placeholder checkpoints: the tiny BLIP-2 and LLaVA with untrained, seeded random weights, in the
 * tiny checkpoints' configuration, vocabulary and processor files. They load and run like any
 * checkpoint (useful to exercise the pipeline or a new device) but their output is random words.
 *
 * <pre>
 * mvn -B -q -pl training exec:java -Dexec.mainClass=io.vlmtagger.training.Placeholders -Dexec.args="/tmp/placeholders"
 * </pre>
 */
public final class Placeholders {

    static final int MAX_POSITIONS = 512;
    private static final long SEED = 11;
    /** Every weight matrix of the placeholder BLIP-2 is scaled by this (see {@link #writeBlip2}). */
    static final float BLIP2_WEIGHT_SCALE = 15f;

    /** Writes {@code placeholder-blip2} and {@code placeholder-llava} into the directory given. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Placeholders <output directory>");
        }
        TrainingThreads.configure();
        Path out = Path.of(args[0]);
        writeBlip2(out.resolve("placeholder-blip2"));
        writeLlava(out.resolve("placeholder-llava"));
        System.out.println("wrote " + out.resolve("placeholder-blip2") + " and " + out.resolve("placeholder-llava"));
    }

    /**
     * A tiny BLIP-2 with untrained weights: the training code's initialisation (zero steps), then
     * every weight matrix scaled up. With transformers' initialisation (std 0.02) the untrained
     * model's logits are nearly flat and greedy decoding stops at once with an empty caption; at std
     * ~0.3 it produces varied words.
     */
    public static void writeBlip2(Path dir) throws IOException {
        Files.createDirectories(dir);
        new CaptionTrainer(TrainOptions.defaults(dir).withSteps(0)).train(null);
        Path file = dir.resolve("model.safetensors");
        try (NDManager manager = NDManager.newBaseManager();
                java.io.InputStream in = Files.newInputStream(file)) {
            ai.djl.ndarray.NDList tensors = ai.djl.ndarray.NDList.decode(manager, in);
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            for (NDArray t : tensors) {
                boolean matrix = t.getShape().dimension() >= 2 && t.getName().endsWith("weight");
                scaled.put(t.getName(), matrix ? t.mul(BLIP2_WEIGHT_SCALE) : t);
            }
            CheckpointWriter.writeWeights(dir, scaled);
        }
    }

    /**
     * A tiny LLaVA (CLIP vision tower, 2-layer projector, Llama) with random weights under
     * transformers' parameter names. Weights are seeded: N(0, 0.3) for matrices and embeddings,
     * N(0, 0.05) for biases, 1 + N(0, 0.1) for norm scales (std 0.3 rather than transformers' 0.02 so
     * that greedy decoding of the untrained model produces words instead of stopping at once).
     */
    public static void writeLlava(Path dir) throws IOException {
        Files.createDirectories(dir);
        TinyConfigs.Sizes s = TinyConfigs.Sizes.DEFAULT;
        CheckpointWriter.writeTextAndImageFiles(dir, true, s.imageSize(), MAX_POSITIONS);
        new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("config.json").toFile(), TinyConfigs.llava(s, MAX_POSITIONS));
        try (NDManager manager = NDManager.newBaseManager()) {
            CheckpointWriter.writeWeights(dir, weights(manager, s));
        }
    }

    static Map<String, NDArray> weights(NDManager m, TinyConfigs.Sizes s) {
        Random random = new Random(SEED);
        Map<String, NDArray> w = new LinkedHashMap<>();
        Tensors t = new Tensors(m, random, w);
        int h = s.hidden();
        int ffn = s.intermediate();
        int patches = (s.imageSize() / s.patchSize()) * (s.imageSize() / s.patchSize());

        String v = "vision_tower.vision_model.";
        t.normal(v + "embeddings.class_embedding", 0.5f, h);
        t.normal(v + "embeddings.patch_embedding.weight", 0.3f, h, 3, s.patchSize(), s.patchSize());
        t.normal(v + "embeddings.position_embedding.weight", 0.5f, patches + 1, h);
        t.norm(v + "pre_layrnorm", h, true);
        for (int i = 0; i < s.layers(); i++) {
            String l = v + "encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.linear(l + "self_attn." + proj, h, h, true);
            }
            t.norm(l + "layer_norm1", h, true);
            t.norm(l + "layer_norm2", h, true);
            t.linear(l + "mlp.fc1", ffn, h, true);
            t.linear(l + "mlp.fc2", h, ffn, true);
        }
        t.norm(v + "post_layernorm", h, true);

        t.linear("multi_modal_projector.linear_1", h, h, true);
        t.linear("multi_modal_projector.linear_2", h, h, true);

        String lm = "language_model.model.";
        int vocab = TinyVocabulary.size();
        t.normal(lm + "embed_tokens.weight", 0.3f, vocab, h);
        for (int i = 0; i < s.layers(); i++) {
            String l = lm + "layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                t.linear(l + "self_attn." + proj, h, h, false);
            }
            t.linear(l + "mlp.gate_proj", ffn, h, false);
            t.linear(l + "mlp.up_proj", ffn, h, false);
            t.linear(l + "mlp.down_proj", h, ffn, false);
            t.norm(l + "input_layernorm", h, false);
            t.norm(l + "post_attention_layernorm", h, false);
        }
        t.norm(lm + "norm", h, false);
        t.normal("language_model.lm_head.weight", 0.3f, vocab, h);
        return w;
    }

    /** Seeded tensor factory writing into one map. */
    private record Tensors(NDManager m, Random random, Map<String, NDArray> out) {
        void normal(String name, float std, long... shape) {
            put(name, 0f, std, shape);
        }

        void linear(String prefix, int outFeatures, int inFeatures, boolean bias) {
            put(prefix + ".weight", 0f, 0.3f, outFeatures, inFeatures);
            if (bias) {
                put(prefix + ".bias", 0f, 0.05f, outFeatures);
            }
        }

        /** LayerNorm (weight + bias) or RMSNorm (weight only). */
        void norm(String prefix, int size, boolean bias) {
            put(prefix + ".weight", 1f, 0.1f, size);
            if (bias) {
                put(prefix + ".bias", 0f, 0.05f, size);
            }
        }

        private void put(String name, float mean, float std, long... shape) {
            float[] values = new float[(int) new Shape(shape).size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = mean + std * (float) random.nextGaussian();
            }
            NDArray a = m.create(values, new Shape(shape));
            a.setName(name);
            out.put(name, a);
        }
    }

    private Placeholders() {}
}
