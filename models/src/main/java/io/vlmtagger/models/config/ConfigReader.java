package io.vlmtagger.models.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Typed, defaulted access to a {@code config.json} object (or one of its sub-configs). {@code
 * save_pretrained} writes only the values that differ from the transformers class defaults, so
 * every getter takes the default the corresponding transformers class applies. A JSON {@code null}
 * counts as absent.
 */
public final class ConfigReader {
    public static final String CONFIG_FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode node;
    private final String where;

    private ConfigReader(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    /** Reads {@code <checkpoint>/config.json}; fails naming the file. */
    public static ConfigReader load(Path checkpoint) {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(CONFIG_FILE) : checkpoint;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("checkpoint " + checkpoint + " has no " + CONFIG_FILE);
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (!root.isObject()) {
                throw new CheckpointException(file + " is not a JSON object");
            }
            return new ConfigReader(root, file.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    /** A reader over an in-memory JSON object (tests, embedded configs). */
    public static ConfigReader of(JsonNode node, String where) {
        return new ConfigReader(node, where);
    }

    /** The sub-config {@code key} (e.g. {@code text_config}); an empty one when absent (all defaults). */
    public ConfigReader child(String key) {
        JsonNode c = node.path(key);
        return new ConfigReader(c.isObject() ? c : MissingNode.getInstance(), where + "#" + key);
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    public int integer(String key, int defaultValue) {
        return has(key) ? node.get(key).asInt() : defaultValue;
    }

    /** An integer that may be {@code null} in transformers (e.g. {@code num_key_value_heads}). */
    public Integer optInteger(String key) {
        return has(key) ? node.get(key).asInt() : null;
    }

    public double number(String key, double defaultValue) {
        return has(key) ? node.get(key).asDouble() : defaultValue;
    }

    public boolean bool(String key, boolean defaultValue) {
        return has(key) ? node.get(key).asBoolean() : defaultValue;
    }

    public String string(String key, String defaultValue) {
        return has(key) ? node.get(key).asText() : defaultValue;
    }

    /** The raw node (for values with no fixed type, e.g. {@code rope_scaling}); MissingNode when absent. */
    public JsonNode raw(String key) {
        return node.path(key);
    }

    /** {@code model_type}, failing with the file name if absent. */
    public String modelType() {
        if (!has("model_type")) {
            throw new CheckpointException(where + " has no 'model_type'");
        }
        return node.get("model_type").asText();
    }

    /** Where this config came from, for error messages ({@code /path/config.json#text_config}). */
    public String where() {
        return where;
    }

    /** Fails with a message naming the config when {@code hidden} is not divisible by {@code heads}. */
    void checkHeads(String hiddenKey, int hidden, String headsKey, int heads) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new CheckpointException(where + ": " + hiddenKey + "=" + hidden + " is not divisible by "
                    + headsKey + "=" + heads);
        }
    }
}
