package io.vlmtagger.jobs;

import io.vlmtagger.jobs.config.ConfigException;
import io.vlmtagger.jobs.config.JobConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code builtin:<name>} checkpoints: extracted from the classpath once, checked when configured. */
class BuiltinCheckpointsTest {

    @TempDir
    Path cache;

    @Test
    void aShippedCheckpointIsExtractedOnceIntoTheCache() throws Exception {
        assertThat(BuiltinCheckpoints.exists("tiny-blip2-shapes")).isTrue();
        Path first = BuiltinCheckpoints.extract("tiny-blip2-shapes", cache);
        assertThat(first.getParent()).isEqualTo(cache.resolve("checkpoints"));
        assertThat(first.getFileName().toString()).startsWith("tiny-blip2-shapes-");
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "preprocessor_config.json"}) {
            assertThat(first.resolve(f)).isRegularFile();
        }
        try (var in = getClass().getClassLoader().getResourceAsStream("checkpoints/tiny-blip2-shapes/model.safetensors")) {
            assertThat(Files.readAllBytes(first.resolve("model.safetensors"))).isEqualTo(in.readAllBytes());
        }
        long modified = Files.getLastModifiedTime(first.resolve("config.json")).toMillis();
        Path second = BuiltinCheckpoints.extract("tiny-blip2-shapes", cache);
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second.resolve("config.json")).toMillis()).isEqualTo(modified);
        try (var entries = Files.list(cache.resolve("checkpoints"))) {
            assertThat(entries.count()).as("no staging folder left behind").isEqualTo(1);
        }
    }

    @Test
    void resolveReturnsDirectoriesAsTheyAreAndExtractsBuiltins() {
        assertThat(BuiltinCheckpoints.resolve("/models/blip2")).isEqualTo(Path.of("/models/blip2"));
        Path tiny = BuiltinCheckpoints.resolve("builtin:tiny-llava-shapes");
        assertThat(tiny.resolve("config.json")).isRegularFile();
        assertThat(tiny.startsWith(BuiltinCheckpoints.cacheDir())).isTrue();
    }

    @Test
    void anUnknownBuiltinIsAConfigurationErrorThatListsTheShippedOnes() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.caption.checkpoint", "builtin:tiny-blip3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.caption.checkpoint")
                .hasMessageContaining("no built-in checkpoint 'tiny-blip3'")
                .hasMessageContaining("builtin:tiny-blip2-shapes, builtin:tiny-llava-shapes");
        assertThat(JobConfig.fromArgs("--model.caption.checkpoint", "builtin:tiny-blip2-shapes")).isNotNull();
    }
}
