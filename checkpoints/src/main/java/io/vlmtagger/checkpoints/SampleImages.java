package io.vlmtagger.checkpoints;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sample images shipped with the checkpoints, rendered by the training module's shapes generator
 * (the scenes the tiny checkpoints were trained on, from a seed no training run uses), so the local
 * run can show them with their true description. A set is a classpath folder under {@value
 * #RESOURCE_ROOT} with PNG files and a {@value #MANIFEST}: one line per image, tab-separated
 * columns, the file name first.
 */
public final class SampleImages {
    /** Classpath folder of the sample sets. */
    public static final String RESOURCE_ROOT = "samples/";
    /** The manifest file of each set. */
    public static final String MANIFEST = "manifest.tsv";
    /** Captioned shape scenes: {@code file \t caption}. */
    public static final String SHAPES = "shapes";
    /**
     * The few-shot demo: exemplars of one label set ({@code before}), the exemplars that replace
     * them mid-run ({@code after}) and query images: {@code file \t role \t tag \t description}.
     */
    public static final String FEW_SHOT = "few-shot";

    private SampleImages() {}

    /** The manifest lines of {@code set}, split on tabs, in file order. */
    public static List<String[]> manifest(String set) {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = open(set, MANIFEST);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(line.split("\t", -1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_ROOT + set + "/" + MANIFEST, e);
        }
        return out;
    }

    /** The bytes of {@code file} of {@code set}. */
    private static byte[] read(String set, String file) {
        try (InputStream in = open(set, file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_ROOT + set + "/" + file, e);
        }
    }

    /** Copies {@code file} of {@code set} to {@code target}; returns {@code target}. */
    public static Path copy(String set, String file, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.write(target, read(set, file));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Where the training module writes {@code set} in a source checkout, relative to the repository root. */
    public static Path sourceDirectory(String set) {
        return Path.of("checkpoints", "src", "main", "resources", "samples", set);
    }

    private static InputStream open(String set, String file) {
        String path = RESOURCE_ROOT + set + "/" + file;
        InputStream in = SampleImages.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("no sample resource " + path + " on the classpath: add the "
                    + "io.vlmtagger:vlm-tagger-checkpoints artifact");
        }
        return in;
    }
}
