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
import java.util.stream.Stream;

/**
 * The images the local run sends: the files of a folder the user names, or scenes from the models
 * module's deterministic shapes generator (the same generator the tiny checkpoints train on), so
 * that the summary can show the true caption next to the model's.
 */
public final class LocalImages {

    /** One image to send; {@code truth} is the generator's caption, null for user images. */
    public record LocalImage(String name, Path file, String truth) {}

    /** Seed of the generated set: fixed, so every local run shows the same images. */
    public static final long SEED = 2026;

    /**
     * Every file of {@code dir} (not recursive; hidden dot-files such as .DS_Store left out), sorted
     * by name: no extension list, so that whatever the decoders cannot read (HEIC, a PDF, a text
     * file) is sent too and comes back as a dead letter that names it.
     */
    public static List<LocalImage> fromFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("images folder " + dir.toAbsolutePath() + " does not exist or is not a directory");
        }
        List<LocalImage> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(p -> out.add(new LocalImage(p.getFileName().toString(), p.toAbsolutePath(), null)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("images folder " + dir.toAbsolutePath() + " has no files");
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

    private LocalImages() {}
}
