package io.vlmtagger.models.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random-weight checkpoints for the benchmarks, made by scaling the tiny parity fixtures up: the
 * fixture's key list (so the layout is exactly the loader's), each layer's keys repeated for the
 * target layer count, every tensor reshaped by a per-model dimension map. Weights N(0, 0.02),
 * norm weights 1, biases 0, stored as F16 (all files through {@link CheckpointDirectory});
 * tokenizer and preprocessor files from {@link FixtureCheckpoints#addTokenizerAndPreprocessor} at
 * the target vocabulary and image size.
 *
 * <ul>
 *   <li>{@link Size#SMALL} BLIP-2: ViT 12x768 (224 px, patch 16), Q-Former 12x768 (32 queries,
 *       cross-attention every 2 layers), OPT 12x768 (ffn 3072, vocab 50272);
 *   <li>{@link Size#DEEP} BLIP-2: the layer counts and sequence lengths of {@code
 *       Salesforce/blip2-opt-2.7b} (ViT 39 layers, 224 px, patch 14 = 257 tokens; Q-Former 12, 32
 *       queries; OPT 32, vocab 50272) at width 64 (4 heads, ffn 256): almost no arithmetic, so its
 *       time per step is the per-operation overhead;
 *   <li>{@link Size#DEEP} LLaVA: those of {@code llava-hf/llava-1.5-7b-hf} (CLIP 24 layers, 336
 *       px, patch 14 = 577 tokens; Llama 32 layers, vocab 32064) at width 64 (4 heads, ffn 172).
 * </ul>
 */
public final class RandomCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("\\.(layers?)\\.(\\d+)\\.");

    /** Benchmark model sizes. */
    public enum Size { SMALL, DEEP }

    private RandomCheckpoints() {}

    /** A random BLIP-2/OPT checkpoint of {@code size} in {@code dir}. */
    public static Path blip2(Path dir, Size size) throws IOException {
        Path tiny = FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY);
        boolean deep = size == Size.DEEP;
        int width = deep ? 64 : 768;
        int ffn = deep ? 256 : 3072;
        int heads = deep ? 4 : 12;
        int patch = deep ? 14 : 16;
        int vision = deep ? 39 : 12;
        int text = deep ? 32 : 12;
        ObjectNode c = (ObjectNode) JSON.readTree(tiny.resolve("config.json").toFile());
        c.put("num_query_tokens", 32);
        ((ObjectNode) c.get("vision_config")).put("hidden_size", width).put("image_size", 224)
                .put("intermediate_size", ffn).put("num_attention_heads", heads).put("num_hidden_layers", vision)
                .put("patch_size", patch);
        ((ObjectNode) c.get("qformer_config")).put("cross_attention_frequency", 2).put("encoder_hidden_size", width)
                .put("hidden_size", width).put("intermediate_size", ffn).put("num_attention_heads", heads)
                .put("num_hidden_layers", 12);
        ((ObjectNode) c.get("text_config")).put("ffn_dim", ffn).put("hidden_size", width)
                .put("max_position_embeddings", 2048).put("num_attention_heads", heads).put("num_hidden_layers", text)
                .put("vocab_size", 50272).put("word_embed_proj_dim", width);
        long positions = 1 + (224L / patch) * (224L / patch);
        // the tiny fixture's sizes are all distinct, so a dimension maps by its value
        Map<Long, Long> dims = Map.of(32L, (long) width, 64L, (long) ffn, 96L, 3L * width, 99L, 50272L,
                66L, 2050L, 65L, positions);
        return write(dir, tiny, c, key -> key.startsWith("vision_model.") ? vision
                        : key.startsWith("qformer.") ? 12 : text,
                (key, d) -> d == 8 ? (key.equals("query_tokens") ? 32 : 8)
                        : d == 4 ? (key.contains("patch_embedding") ? patch : 4)
                        : dims.getOrDefault(d, d));
    }

    /** A random LLaVA-1.5/Llama checkpoint with the 7B model's depth at width 64 (only {@link Size#DEEP}). */
    public static Path llava(Path dir, Size size) throws IOException {
        if (size != Size.DEEP) {
            throw new IllegalArgumentException("only a DEEP random LLaVA is defined");
        }
        Path tiny = FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY);
        ObjectNode c = (ObjectNode) JSON.readTree(tiny.resolve("config.json").toFile());
        ((ObjectNode) c.get("vision_config")).put("hidden_size", 64).put("image_size", 336).put("intermediate_size", 256)
                .put("num_attention_heads", 4).put("num_hidden_layers", 24).put("patch_size", 14)
                .put("projection_dim", 64);
        ((ObjectNode) c.get("text_config")).put("hidden_size", 64).put("intermediate_size", 172)
                .put("max_position_embeddings", 4096).put("num_attention_heads", 4).put("num_hidden_layers", 32)
                .put("num_key_value_heads", 4).put("vocab_size", 32064);
        Map<Long, Long> vision = Map.of(32L, 64L, 64L, 256L, 65L, 577L, 4L, 14L);
        Map<Long, Long> text = Map.of(32L, 64L, 64L, 172L, 16L, 64L, 128L, 32064L);
        return write(dir, tiny, c, key -> key.startsWith("vision_tower.") ? 24 : 32,
                (key, d) -> (key.startsWith("vision_tower.") ? vision : text).getOrDefault(d, d));
    }

    /** How a tiny fixture dimension scales for a key. */
    private interface DimensionMap {
        long apply(String key, long tinyDimension);
    }

    private static Path write(Path dir, Path tiny, ObjectNode config, ToIntFunction<String> layers, DimensionMap dims)
            throws IOException {
        CheckpointDirectory out = CheckpointDirectory.at(dir).writeConfig(config);
        Files.copy(tiny.resolve("generation_config.json"), dir.resolve("generation_config.json"));
        int crossEvery = config.path("qformer_config").path("cross_attention_frequency").asInt(1);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (SafetensorsFile.Entry e : SafetensorsFile.open(tiny.resolve("model.safetensors")).entries().values()) {
                long[] shape = new long[e.shape().length];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.apply(e.name(), e.shape()[i]);
                }
                Matcher layer = LAYER.matcher(e.name());
                if (!layer.find()) {
                    tensors.put(e.name(), init(m, e.name(), new Shape(shape)));
                    continue;
                }
                for (int i = 0; i < layers.applyAsInt(e.name()); i++) {
                    String k = e.name().substring(0, layer.start()) + "." + layer.group(1) + "." + i + "."
                            + e.name().substring(layer.end());
                    if ((k.contains(".crossattention.") && i % crossEvery != 0) || tensors.containsKey(k)) {
                        continue; // the fixture's layers map to the same keys
                    }
                    tensors.put(k, init(m, k, new Shape(shape)));
                }
            }
            out.writeWeights(tensors, SafetensorsDtype.F16);
        }
        return FixtureCheckpoints.addTokenizerAndPreprocessor(dir);
    }

    private static NDArray init(NDManager m, String key, Shape shape) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        if (key.endsWith(".bias")) {
            return m.zeros(shape, DataType.FLOAT32);
        }
        if (k.contains("layer_norm") || k.contains("layernorm") || k.contains("layrnorm") || k.endsWith("norm.weight")) {
            return m.ones(shape, DataType.FLOAT32);
        }
        return m.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
    }

    /** Reads a checkpoint's config.json (for the benchmarks' labels). */
    static JsonNode config(Path dir) throws IOException {
        return JSON.readTree(dir.resolve("config.json").toFile());
    }
}
