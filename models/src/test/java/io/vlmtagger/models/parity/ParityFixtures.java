package io.vlmtagger.models.parity;

import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds parity fixture directories: every directory under the roots that holds {@code config.json}
 * and {@code io.safetensors}, under {@code <shared>/fixtures/hf-parity},
 * {@code <shared>/fixtures/hf-parity-flamingo} and the roots named in the system property
 * {@code vlm.parity.fixtures} (comma-separated).
 */
public final class ParityFixtures {
    public static final String ROOTS_PROPERTY = "vlm.parity.fixtures";

    private ParityFixtures() {}

    public static Path sharedDir() {
        return FixtureCheckpoints.sharedDir();
    }

    /**
     * The default roots ({@code <shared>/fixtures/hf-parity} and {@code hf-parity-flamingo}) plus
     * every root named in {@code vlm.parity.fixtures}: fixture sets dropped in there are checked
     * beside the shared ones, not instead of them.
     */
    public static List<Path> roots() {
        Path fixtures = sharedDir().resolve("fixtures");
        java.util.LinkedHashSet<Path> roots = new java.util.LinkedHashSet<>();
        roots.add(fixtures.resolve("hf-parity").toAbsolutePath().normalize());
        roots.add(fixtures.resolve("hf-parity-flamingo").toAbsolutePath().normalize());
        String prop = System.getProperty(ROOTS_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            Arrays.stream(prop.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> Paths.get(s).toAbsolutePath().normalize()).forEach(roots::add);
        }
        return List.copyOf(roots);
    }

    /** Fixture directories under every existing root, sorted. */
    public static List<Path> find() {
        List<Path> found = new ArrayList<>();
        for (Path root : roots()) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isDirectory)
                        .filter(d -> Files.isRegularFile(d.resolve("config.json")))
                        .filter(d -> Files.isRegularFile(d.resolve("io.safetensors")))
                        .sorted()
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list parity fixtures under " + root, e);
            }
        }
        return found;
    }
}
