package io.vlmtagger.jobs.local;

import io.vlmtagger.checkpoints.SampleImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The images the local run sends: the files of a folder the user names, or the sample scenes
 * shipped with the tiny checkpoints ({@link SampleImages#SHAPES}, rendered by the generator the
 * checkpoints were trained on), so that the summary can show the true caption next to the model's.
 */
public final class LocalImages {

    /** One image to send; {@code truth} is the generator's caption, null for user images. */
    public record LocalImage(String name, Path file, String truth) {}

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

    /** The first {@code count} shipped sample scenes (at most as many as ship), copied into {@code dir}. */
    public static List<LocalImage> samples(Path dir, int count) {
        List<LocalImage> out = new ArrayList<>();
        for (String[] line : SampleImages.manifest(SampleImages.SHAPES)) {
            if (out.size() == count) {
                break;
            }
            Path file = SampleImages.copy(SampleImages.SHAPES, line[0], dir.resolve(line[0]));
            out.add(new LocalImage(line[0], file.toAbsolutePath(), line[1]));
        }
        return out;
    }

    private LocalImages() {}
}
