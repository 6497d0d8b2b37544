package io.vlmtagger.jobs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jobs module's runtime classpath, as Maven resolves it for `java -cp` and the dist jars
 * (written to target/runtime-classpath.txt by the build): no test jar of this project or of Flink
 * may be on it, nor the training module.
 */
class RuntimeClasspathTest {

    static List<String> runtimeClasspath() throws Exception {
        Path file = Path.of("target/runtime-classpath.txt");
        assertThat(file).as("written by the maven-dependency-plugin in generate-test-resources").exists();
        return Arrays.stream(Files.readString(file).trim().split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).toList();
    }

    @Test
    void holdsTheProjectsModulesButNoTestJars() throws Exception {
        List<String> cp = runtimeClasspath();
        assertThat(cp).anyMatch(e -> e.contains("vlm-tagger-operators"))
                .anyMatch(e -> e.contains("vlm-tagger-models"))
                .anyMatch(e -> e.contains("vlm-tagger-schemas"));
        assertThat(cp).noneMatch(e -> e.endsWith("-tests.jar"))
                .noneMatch(e -> e.contains("test-classes"))
                .noneMatch(e -> e.contains("flink-test-utils"));
    }

    @Test
    void holdsTheShippedCheckpointsButNoTrainingCode() throws Exception {
        // serving never needs training code: the job (and the dist jar built from this classpath)
        // gets the checkpoints artifact, never the training module
        List<String> cp = runtimeClasspath();
        assertThat(cp).anyMatch(e -> e.contains("vlm-tagger-checkpoints"));
        assertThat(cp).noneMatch(e -> e.contains("vlm-tagger-training"));
    }
}
