package io.vlmtagger.checkpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The trained tiny checkpoints this artifact ships, each a HuggingFace checkpoint directory as
 * classpath resources under {@value #RESOURCE_ROOT}{@code <name>/} (the one place that names
 * them: the local runner, tests and the trainers all go through this enum). The training module
 * writes them into {@link #sourceDirectory()}; training/README.md says how to reproduce them.
 */
public enum ShippedCheckpoint {
    /** BLIP-2 captioner of shape scenes. */
    BLIP2_SHAPES("tiny-blip2-shapes"),
    /** LLaVA answering one-word questions about shape scenes. */
    LLAVA_SHAPES("tiny-llava-shapes"),
    /** IDEFICS (Flamingo) tagging shape images with the labels of exemplars given in the prompt. */
    IDEFICS_SHAPES("tiny-idefics-shapes");

    /** Classpath folder holding every shipped checkpoint. */
    public static final String RESOURCE_ROOT = "checkpoints/";
    /** The files of each checkpoint directory. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "generation_config.json", "preprocessor_config.json");

    private final String folder;

    ShippedCheckpoint(String folder) {
        this.folder = folder;
    }

    /** The directory name, e.g. {@code tiny-blip2-shapes}. */
    public String folderName() {
        return folder;
    }

    /** The classpath folder, e.g. {@code checkpoints/tiny-blip2-shapes}. */
    public String resourceFolder() {
        return RESOURCE_ROOT + folder;
    }

    /** Where the trainers write it in a source checkout, relative to the repository root. */
    public Path sourceDirectory() {
        return Path.of("checkpoints", "src", "main", "resources", "checkpoints", folder);
    }

    /** Whether this checkpoint is on the classpath of {@code loader}. */
    public boolean isPresent(ClassLoader loader) {
        return loader.getResource(resourceFolder() + "/config.json") != null;
    }

    /**
     * Copies the checkpoint out of the classpath into {@code parent/<folderName>} (created), so that
     * loaders that read files can open it; returns that directory.
     *
     * @throws IllegalStateException when the artifact is not on the classpath
     */
    public Path copyTo(Path parent) {
        ClassLoader loader = ShippedCheckpoint.class.getClassLoader();
        if (!isPresent(loader)) {
            throw new IllegalStateException("the shipped checkpoint " + resourceFolder() + " is not on the classpath: "
                    + "add the io.vlmtagger:vlm-tagger-checkpoints artifact");
        }
        Path target = parent.resolve(folder);
        try {
            Files.createDirectories(target);
            for (String name : FILES) {
                try (InputStream in = loader.getResourceAsStream(resourceFolder() + "/" + name)) {
                    if (in != null) {
                        Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resourceFolder() + " into " + target, e);
        }
        return target;
    }
}
