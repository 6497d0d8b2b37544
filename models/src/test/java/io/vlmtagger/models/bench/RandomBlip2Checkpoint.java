package io.vlmtagger.models.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a random-weight BLIP-2 checkpoint of the "small" benchmark size (ViT 12x768, image 224,
 * patch 16; Q-Former 12x768, 32 queries, cross-attention every 2 layers; OPT 12x768, ffn 3072,
 * vocab 50272). Key names are taken from the tiny parity fixture and scaled up, so the checkpoint
 * has exactly the layout the loader expects. Weights N(0, 0.02), LayerNorm weights 1, biases 0.
 */
public final class RandomBlip2Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LAYERS = 12;
    private static final Pattern LAYER = Pattern.compile("\\.(layers?)\\.(\\d+)\\.");

    private RandomBlip2Checkpoint() {}

    /** Writes the checkpoint into {@code dir} (config, generation config, tokenizer/preprocessor files, F16 weights). */
    public static Path write(Path dir) throws IOException {
        Path tiny = FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), smallConfig(tiny).toPrettyString());
        Files.copy(tiny.resolve("generation_config.json"), dir.resolve("generation_config.json"));
        JsonNode header = safetensorsHeader(tiny.resolve("model.safetensors"));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (key.equals("__metadata__")) {
                    continue;
                }
                Shape shape = scale(key, header.get(key).get("shape"));
                Matcher layer = LAYER.matcher(key);
                if (!layer.find()) {
                    tensors.put(key, init(m, key, shape));
                    continue;
                }
                for (int i = 0; i < LAYERS; i++) {
                    String k = key.substring(0, layer.start()) + "." + layer.group(1) + "." + i + "."
                            + key.substring(layer.end());
                    if ((k.contains(".crossattention.") && i % 2 != 0) || tensors.containsKey(k)) {
                        continue; // cross_attention_frequency 2; the fixture's layers 0 and 1 map to the same keys
                    }
                    tensors.put(k, init(m, k, shape));
                }
            }
            SafetensorsWriter.writeFile(dir.resolve("model.safetensors"), tensors, SafetensorsDtype.F16,
                    Map.of("format", "pt"));
        }
        // tokenizer and preprocessor at the small sizes: reuse the fixture helper's writers on a scratch copy
        Path scratch = Files.createTempDirectory("blip2-small-tok");
        Path complete = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.BLIP2_OPT_TINY, scratch.resolve("c"));
        Files.copy(complete.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("tokenizer.json"), Files.readString(complete.resolve("tokenizer.json"))
                .replace("\"w98\" : 98", bigVocabTail()));
        Files.writeString(dir.resolve("preprocessor_config.json"), Files.readString(complete.resolve("preprocessor_config.json"))
                .replace("\"height\" : 32", "\"height\" : 224").replace("\"width\" : 32", "\"width\" : 224"));
        return dir;
    }

    private static String bigVocabTail() {
        StringBuilder sb = new StringBuilder("\"w98\" : 98");
        for (int id = 99; id < 50272; id++) {
            sb.append(",\n      \"w").append(id).append("\" : ").append(id);
        }
        return sb.toString();
    }

    private static NDArray init(NDManager m, String key, Shape shape) {
        boolean norm = key.contains("layer_norm") || key.contains("LayerNorm") || key.contains("layernorm");
        if (key.endsWith(".bias")) {
            return m.zeros(shape, DataType.FLOAT32);
        }
        if (norm) {
            return m.ones(shape, DataType.FLOAT32);
        }
        return m.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
    }

    /** Tiny fixture dims -> small dims (the tiny fixture's sizes are all distinct, so this is unambiguous). */
    private static Shape scale(String key, JsonNode dims) {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            long d = dims.get(i).asLong();
            out[i] = switch ((int) d) {
                case 32 -> 768;
                case 64 -> 3072;
                case 96 -> 2304;
                case 99 -> 50272;
                case 66 -> 2050;
                case 65 -> 197;
                case 8 -> key.equals("query_tokens") ? 32 : 8;
                case 4 -> key.contains("patch_embedding") ? 16 : 4;
                default -> d;
            };
        }
        return new Shape(out);
    }

    private static ObjectNode smallConfig(Path tiny) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(tiny.resolve("config.json").toFile());
        c.put("num_query_tokens", 32);
        ObjectNode v = (ObjectNode) c.get("vision_config");
        v.put("hidden_size", 768).put("image_size", 224).put("intermediate_size", 3072)
                .put("num_attention_heads", 12).put("num_hidden_layers", LAYERS).put("patch_size", 16);
        ObjectNode q = (ObjectNode) c.get("qformer_config");
        q.put("cross_attention_frequency", 2).put("encoder_hidden_size", 768).put("hidden_size", 768)
                .put("intermediate_size", 3072).put("num_attention_heads", 12).put("num_hidden_layers", LAYERS);
        ObjectNode t = (ObjectNode) c.get("text_config");
        t.put("ffn_dim", 3072).put("hidden_size", 768).put("max_position_embeddings", 2048)
                .put("num_attention_heads", 12).put("num_hidden_layers", LAYERS).put("vocab_size", 50272)
                .put("word_embed_proj_dim", 768);
        return c;
    }

    private static JsonNode safetensorsHeader(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            byte[] len = data.readNBytes(8);
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return JSON.readTree(new String(data.readNBytes((int) n), StandardCharsets.UTF_8));
        }
    }
}
