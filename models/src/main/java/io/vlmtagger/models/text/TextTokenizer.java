package io.vlmtagger.models.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A checkpoint's tokenizer: HuggingFace {@code tokenizer.json} through DJL's bindings to the Rust
 * {@code tokenizers} library (native library bundled in the jar, no download), plus the special ids.
 *
 * <p>Special ids are looked up per id in {@code generation_config.json}, then {@code config.json}
 * (top level, then {@code text_config}), then the token strings of {@code tokenizer_config.json}
 * mapped through the vocabulary.
 *
 * <p>Thread-safe (the Rust tokenizer is immutable once loaded). Owns native memory: {@link #close()}.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final SpecialTokenIds specialIds;
    private final Path source;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, SpecialTokenIds specialIds, Path source) {
        this.tokenizer = tokenizer;
        this.specialIds = specialIds;
        this.source = source;
    }

    /** Loads {@code <dir>/tokenizer.json} and the special ids of the checkpoint in {@code dir}. */
    public static TextTokenizer fromCheckpoint(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("checkpoint " + dir + " has no tokenizer.json (only fast tokenizers are"
                    + " supported; convert a sentencepiece tokenizer.model with transformers' save_pretrained)");
        }
        HuggingFaceTokenizer hf;
        try {
            // Our own choices, not the file's: no truncation, no padding; special tokens per call.
            hf = HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false",
                    "maxLength", "-1"));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
        try {
            JsonNode generation = readOptional(dir.resolve("generation_config.json"));
            JsonNode config = readOptional(dir.resolve("config.json"));
            JsonNode tokConfig = readOptional(dir.resolve("tokenizer_config.json"));
            TextTokenizer partial = new TextTokenizer(hf, new SpecialTokenIds(OptionalLong.empty(), null,
                    OptionalLong.empty()), dir);
            OptionalLong bos = partial.lookup("bos", generation, config, tokConfig);
            OptionalLong pad = partial.lookup("pad", generation, config, tokConfig);
            long[] eos = partial.lookupEos(generation, config, tokConfig);
            return new TextTokenizer(hf, new SpecialTokenIds(bos, eos, pad), dir);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    public SpecialTokenIds specialIds() {
        return specialIds;
    }

    /** Ids of {@code text} without any special tokens added. */
    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Ids of {@code text} with the tokenizer's post-processor applied (e.g. Llama's leading {@code <s>}). */
    public long[] encodeWithSpecialTokens(String text) {
        Encoding e = tokenizer.encode(text, true, false);
        return e.getIds();
    }

    /** Text of {@code ids}, special tokens (bos, eos, pad, {@code <image>}, ...) left out. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** Text of {@code ids} with special tokens kept, for debugging. */
    public String decodeKeepingSpecialTokens(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /**
     * The id of a token that must map to exactly one id (e.g. {@code "<image>"}, {@code "</s>"}).
     *
     * @throws IllegalArgumentException naming the token and what it encodes to otherwise
     */
    public long tokenId(String token) {
        long[] ids = encode(token);
        if (ids.length != 1) {
            throw new IllegalArgumentException("token " + token + " is not a single token in " + source
                    + ": it encodes to " + java.util.Arrays.toString(ids));
        }
        return ids[0];
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private OptionalLong lookup(String what, JsonNode generation, JsonNode config,
            JsonNode tokConfig) {
        String key = what + "_token_id";
        for (JsonNode node : new JsonNode[] {generation, config, config == null ? null : config.get("text_config")}) {
            if (node != null && node.hasNonNull(key)) {
                JsonNode v = node.get(key);
                return OptionalLong.of(v.isArray() ? v.get(0).asLong() : v.asLong());
            }
        }
        String token = tokenString(tokConfig, what + "_token");
        if (token != null) {
            long[] ids = encode(token);
            if (ids.length == 1) {
                return OptionalLong.of(ids[0]);
            }
        }
        return OptionalLong.empty();
    }

    private long[] lookupEos(JsonNode generation, JsonNode config, JsonNode tokConfig) {
        for (JsonNode node : new JsonNode[] {generation, config, config == null ? null : config.get("text_config")}) {
            if (node != null && node.hasNonNull("eos_token_id")) {
                JsonNode v = node.get("eos_token_id");
                if (!v.isArray()) {
                    return new long[] {v.asLong()};
                }
                List<Long> ids = new ArrayList<>();
                v.forEach(n -> ids.add(n.asLong()));
                return ids.stream().mapToLong(Long::longValue).toArray();
            }
        }
        OptionalLong fromTokenizer = lookup("eos", null, null, tokConfig);
        return fromTokenizer.isPresent() ? new long[] {fromTokenizer.getAsLong()} : new long[0];
    }

    /** {@code "bos_token": "<s>"} or the older {@code "bos_token": {"content": "<s>", ...}}. */
    private static String tokenString(JsonNode tokConfig, String key) {
        if (tokConfig == null || !tokConfig.hasNonNull(key)) {
            return null;
        }
        JsonNode v = tokConfig.get(key);
        return v.isTextual() ? v.asText() : v.path("content").asText(null);
    }

    private static JsonNode readOptional(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }
}
