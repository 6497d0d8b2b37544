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
 * and {@code io.safetensors}. Roots come from the system property {@code vlm.parity.fixtures}
 * (comma-separated), default {@code <shared>/fixtures/hf-parity} and
 * {@code <shared>/fixtures/hf-parity-flamingo}.
 */
public final class ParityFixtures {
    public static final String ROOTS_PROPERTY = "vlm.parity.fixtures";

    private ParityFixtures() {}

    public static Path sharedDir() {
        return FixtureCheckpoints.sharedDir();
    }

    public static List<Path> roots() {
        String prop = System.getProperty(ROOTS_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Arrays.stream(prop.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Paths::get).toList();
        }
        Path fixtures = sharedDir().resolve("fixtures");
        return List.of(fixtures.resolve("hf-parity"), fixtures.resolve("hf-parity-flamingo"));
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
