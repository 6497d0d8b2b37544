package io.vlmtagger.models.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The safetensors files of a HuggingFace checkpoint directory, as {@code save_pretrained} writes
 * them: either one {@code model.safetensors}, or shards {@code model-0000N-of-0000M.safetensors}
 * listed by {@code model.safetensors.index.json}. Maps every tensor name to its file.
 */
public final class CheckpointFiles {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final Map<String, SafetensorsFile> byKey;

    private CheckpointFiles(Path directory, Map<String, SafetensorsFile> byKey) {
        this.directory = directory;
        this.byKey = byKey;
    }

    /** Opens the headers of every file of the checkpoint in {@code directory}. */
    public static CheckpointFiles open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new CheckpointException("checkpoint directory " + directory + " does not exist");
        }
        Path index = directory.resolve(INDEX_FILE);
        Path single = directory.resolve(SINGLE_FILE);
        Map<String, SafetensorsFile> byKey = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode weightMap;
            try {
                weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            } catch (IOException e) {
                throw new CheckpointException("cannot parse " + index + ": " + e.getMessage(), e);
            }
            if (!weightMap.isObject() || weightMap.isEmpty()) {
                throw new CheckpointException(index + " has no 'weight_map' object");
            }
            Map<String, SafetensorsFile> shards = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String file = e.getValue().asText();
                SafetensorsFile shard = shards.computeIfAbsent(file, f -> openShard(directory, index, f));
                if (!shard.contains(e.getKey())) {
                    throw new CheckpointException(index + " maps '" + e.getKey() + "' to " + file
                            + " but that shard has no such tensor");
                }
                byKey.put(e.getKey(), shard);
            }
        } else if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            file.entries().keySet().forEach(k -> byKey.put(k, file));
        } else {
            throw new CheckpointException("checkpoint " + directory + " has neither " + SINGLE_FILE + " nor "
                    + INDEX_FILE + " (found: " + listing(directory) + ")");
        }
        return new CheckpointFiles(directory, Collections.unmodifiableMap(byKey));
    }

    private static SafetensorsFile openShard(Path directory, Path index, String file) {
        Path p = directory.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new CheckpointException(index + " refers to shard " + file + ", which does not exist");
        }
        return SafetensorsFile.open(p);
    }

    private static String listing(Path directory) {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    public Path directory() {
        return directory;
    }

    /** Every tensor name, in file/header order. */
    public Map<String, SafetensorsFile> filesByKey() {
        return byKey;
    }

    public SafetensorsFile fileOf(String key) {
        return byKey.get(key);
    }
}
