package io.vlmtagger.training.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes a shapes dataset to disk: {@code images/<index>.png|jpg} and {@code manifest.jsonl}, one
 * line per image with the caption and one question of each type.
 *
 * <pre>
 * java -cp models.jar io.vlmtagger.training.dataset.GenerateDataset --out /tmp/shapes --seed 2 --count 200 [--format jpeg] [--size 96]
 * </pre>
 */
public final class GenerateDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateDataset() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        if (!a.containsKey("out")) {
            System.err.println("usage: GenerateDataset --out DIR [--seed 2] [--count 200] [--format png|jpeg] [--size 96]");
            System.exit(2);
        }
        ShapesDataset data = ShapesDataset.builder().setSeed(Long.parseLong(a.getOrDefault("seed", "2")))
                .optImageSize(Integer.parseInt(a.getOrDefault("size", String.valueOf(ShapesDataset.DEFAULT_IMAGE_SIZE)))).build();
        int count = write(data, Integer.parseInt(a.getOrDefault("count", "200")),
                ImageFormat.parse(a.getOrDefault("format", "png")), Path.of(a.get("out")));
        System.out.println("wrote " + count + " images and manifest.jsonl to " + a.get("out"));
    }

    /** Writes scenes {@code 0..count-1} of {@code data} into {@code dir}; returns {@code count}. */
    public static int write(ShapesDataset data, int count, ImageFormat format, Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        try (BufferedWriter manifest = Files.newBufferedWriter(dir.resolve("manifest.jsonl"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                Scene scene = data.scene(i);
                String name = String.format("%05d.%s", i, format.extension());
                Files.write(images.resolve(name), format.encode(data.render(scene)));
                ObjectNode line = JSON.createObjectNode();
                line.put("file", "images/" + name);
                line.put("caption", scene.caption());
                ArrayNode qa = line.putArray("questions");
                Random random = data.random(i);
                for (QaPair q : CaptionGrammar.questions(scene, random)) {
                    qa.addObject().put("type", q.type()).put("question", q.question()).put("answer", q.answer());
                }
                manifest.write(JSON.writeValueAsString(line));
                manifest.newLine();
            }
        }
        return count;
    }

    /** {@code --key value} pairs. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
