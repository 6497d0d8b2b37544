package io.vlmtagger.jobs.local;

import io.vlmtagger.models.dataset.ImageFormat;
import io.vlmtagger.models.dataset.Scene;
import io.vlmtagger.models.dataset.ShapesDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The images the local run sends: the files of a folder the user names, or scenes from the models
 * module's deterministic shapes generator (the same generator the tiny checkpoints train on), so
 * that the summary can show the true caption next to the model's.
 */
public final class LocalImages {

    /** One image to send; {@code truth} is the generator's caption, null for user images. */
    public record LocalImage(String name, Path file, String truth) {}

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");

    /** Seed of the generated set: fixed, so every local run shows the same images. */
    public static final long SEED = 2026;

    /** Image files of {@code dir} (not recursive), sorted by name, at most {@code max}. */
    public static List<LocalImage> fromFolder(Path dir, int max) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("images folder " + dir.toAbsolutePath() + " does not exist or is not a directory");
        }
        List<LocalImage> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.contains(extension(p)))
                    .sorted()
                    .limit(max)
                    .forEach(p -> out.add(new LocalImage(p.getFileName().toString(), p.toAbsolutePath(), null)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("images folder " + dir.toAbsolutePath() + " has no " + EXTENSIONS + " files");
        }
        return out;
    }

    /** Renders {@code count} shape scenes as PNG files into {@code dir}. */
    public static List<LocalImage> generate(Path dir, int count, int imageSize) throws IOException {
        Files.createDirectories(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(SEED).optImageSize(imageSize).build();
        List<LocalImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene scene = data.scene(i);
            String name = String.format(Locale.ROOT, "shapes-%03d.png", i);
            Path file = dir.resolve(name);
            Files.write(file, ImageFormat.PNG.encode(data.render(scene)));
            out.add(new LocalImage(name, file.toAbsolutePath(), scene.caption()));
        }
        return out;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private LocalImages() {}
}
