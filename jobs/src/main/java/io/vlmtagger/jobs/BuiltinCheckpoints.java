package io.vlmtagger.jobs;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tiny checkpoints shipped on the classpath, usable outside a checkout:
 * {@code --model.caption.checkpoint builtin:tiny-blip2-shapes} (and {@code builtin:tiny-llava-shapes}
 * for chat, {@code builtin:tiny-idefics-shapes} for few-shot tags; the names and resource folders
 * come from {@link ShippedCheckpoint}, the checkpoints artifact's list). A reference is
 * extracted on first use into a cache directory ({@link #cacheDir}), in a folder named after the
 * content's hash so that a newer jar never reads an older extraction, and written atomically so
 * that several subtasks or JVMs can resolve it at once.
 */
public final class BuiltinCheckpoints {
    /** The prefix of a checkpoint option that names a shipped checkpoint. */
    public static final String PREFIX = "builtin:";
    /** Classpath folder holding one folder per shipped checkpoint. */
    public static final String RESOURCE_ROOT = ShippedCheckpoint.RESOURCE_ROOT;
    /** Names of the checkpoints the project ships (for messages; {@link #exists} checks the classpath). */
    public static final List<String> SHIPPED = java.util.Arrays.stream(ShippedCheckpoint.values())
            .map(ShippedCheckpoint::folderName).toList();
    /** System property overriding the cache directory. */
    public static final String CACHE_DIR_PROPERTY = "vlmtagger.cache-dir";

    static final List<String> FILES = ShippedCheckpoint.FILES;

    private BuiltinCheckpoints() {}

    /** Whether {@code checkpoint} is a {@code builtin:<name>} reference. */
    public static boolean isBuiltin(String checkpoint) {
        return checkpoint != null && checkpoint.startsWith(PREFIX);
    }

    /** Whether the classpath holds the shipped checkpoint {@code name}. */
    public static boolean exists(String name) {
        return loader().getResource(RESOURCE_ROOT + name + "/config.json") != null;
    }

    /**
     * Checks a checkpoint option: a {@code builtin:} name must be on the classpath.
     *
     * @return null when fine, else what to write instead
     */
    public static String problem(String checkpoint) {
        if (!isBuiltin(checkpoint)) {
            return null;
        }
        String name = checkpoint.substring(PREFIX.length());
        if (exists(name)) {
            return null;
        }
        List<String> available = SHIPPED.stream().filter(BuiltinCheckpoints::exists).map(n -> PREFIX + n).toList();
        return "no built-in checkpoint '" + name + "' on the classpath (resource " + RESOURCE_ROOT + name
                + "/config.json); " + (available.isEmpty() ? "this build ships none: give a checkpoint directory"
                : "write one of " + String.join(", ", available) + ", or a checkpoint directory");
    }

    /**
     * The directory of {@code checkpoint}: a {@code builtin:} reference is extracted into the cache
     * (once per content), anything else is a directory path and returned as is.
     */
    public static Path resolve(String checkpoint) {
        if (!isBuiltin(checkpoint)) {
            return Path.of(checkpoint);
        }
        String problem = problem(checkpoint);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        try {
            return extract(checkpoint.substring(PREFIX.length()), cacheDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + checkpoint + " into " + cacheDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies the shipped checkpoint {@code name} into {@code cache/checkpoints/<name>-<hash>} unless
     * it is there already, and returns that directory.
     */
    public static Path extract(String name, Path cache) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        List<String> present = new ArrayList<>();
        MessageDigest sha = sha256();
        for (String file : FILES) {
            try (InputStream in = loader().getResourceAsStream(RESOURCE_ROOT + name + "/" + file)) {
                if (in == null) {
                    continue;
                }
                byte[] bytes = in.readAllBytes();
                sha.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(bytes);
                contents.add(bytes);
                present.add(file);
            }
        }
        if (!present.contains("config.json")) {
            throw new IOException("no shipped checkpoint " + name + " under " + RESOURCE_ROOT);
        }
        Path target = cache.resolve("checkpoints").resolve(name + "-" + HexFormat.of().formatHex(sha.digest(), 0, 6));
        if (Files.isRegularFile(target.resolve("config.json"))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(target.getParent(), name + ".");
        try {
            for (int i = 0; i < present.size(); i++) {
                Files.write(staging.resolve(present.get(i)), contents.get(i));
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException raced) {
                if (!Files.isRegularFile(target.resolve("config.json"))) {
                    throw raced;
                }
            }
        } finally {
            deleteQuietly(staging);
        }
        return target;
    }

    /**
     * Where built-in checkpoints are extracted: the system property {@value #CACHE_DIR_PROPERTY},
     * else {@code $XDG_CACHE_HOME/vlm-tagger}, else {@code ~/.cache/vlm-tagger}.
     */
    public static Path cacheDir() {
        String property = System.getProperty(CACHE_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "vlm-tagger");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "vlm-tagger");
    }

    private static ClassLoader loader() {
        return BuiltinCheckpoints.class.getClassLoader();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover staging folder in the cache is harmless
        }
    }
}
