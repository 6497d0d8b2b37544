package io.vlmtagger.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The models module must stay free of Flink: no main source may import {@code org.apache.flink}. */
class NoFlinkInModelsTest {

    @Test
    void noMainSourceImportsFlink() throws IOException {
        Path main = mainSources();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(NoFlinkInModelsTest::mentionsFlink)
                    .map(p -> main.relativize(p).toString())
                    .toList();
        }
        assertThat(offenders).as("classes under %s importing org.apache.flink", main).isEmpty();
    }

    private static boolean mentionsFlink(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .map(String::trim)
                    .anyMatch(l -> l.matches("import\\s+(static\\s+)?org\\.apache\\.flink\\..*")
                            || (!l.startsWith("*") && !l.startsWith("//") && l.contains("org.apache.flink.")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static Path mainSources() {
        for (Path candidate : List.of(Paths.get("src/main/java"), Paths.get("models/src/main/java"))) {
            if (Files.isDirectory(candidate.resolve("io/vlmtagger/models"))) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("models/src/main/java not found from " + Paths.get("").toAbsolutePath());
    }
}
