package io.vlmtagger.models.llava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture's weights renamed to the transformers >= 4.52 layout must load and give the same logits. */
class LlavaCheckpointLayoutTest {
    @TempDir
    Path tmp;

    /** 4.40 name -> 4.52 name. */
    static String newLayout(String key) {
        if (key.startsWith("language_model.model.")) {
            return "model.language_model." + key.substring("language_model.model.".length());
        }
        if (key.startsWith("language_model.lm_head.")) {
            return "lm_head." + key.substring("language_model.lm_head.".length());
        }
        if (key.startsWith("vision_tower.") || key.startsWith("multi_modal_projector.")) {
            return "model." + key;
        }
        throw new IllegalArgumentException("unexpected key " + key);
    }

    /** 4.40 name -> what transformers 5's save_pretrained writes: the CLIP tower without {@code vision_model.}. */
    static String transformers5Layout(String key) {
        String k = newLayout(key);
        return k.startsWith("model.vision_tower.vision_model.")
                ? "model.vision_tower." + k.substring("model.vision_tower.vision_model.".length()) : k;
    }

    /** The same with the tower keys as {@code vision_tower.*} (no {@code model.} level). */
    static String transformers5LegacyPrefix(String key) {
        return key.startsWith("vision_tower.vision_model.")
                ? "vision_tower." + key.substring("vision_tower.vision_model.".length()) : key;
    }

    private Path renamedCopy(NDManager manager, java.util.function.Predicate<String> keepKey) throws Exception {
        return renamedCopy(manager, keepKey, LlavaCheckpointLayoutTest::newLayout, "llava-new-layout");
    }

    private Path renamedCopy(NDManager manager, java.util.function.Predicate<String> keepKey,
            java.util.function.UnaryOperator<String> rename, String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(LlavaFixture.dir().resolve("config.json"), dir.resolve("config.json"));
        Map<String, NDArray> renamed = new LinkedHashMap<>();
        SafetensorsFile.open(LlavaFixture.dir().resolve("model.safetensors")).readAll(manager).forEach((k, v) -> {
            if (keepKey.test(k)) {
                renamed.put(rename.apply(k), v);
            }
        });
        SafetensorsWriter.writeFile(dir.resolve("model.safetensors"), renamed, SafetensorsDtype.F32,
                Map.of("format", "pt"));
        return dir;
    }

    @Test
    void newerKeyLayoutLoadsAndMatches() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = renamedCopy(manager, k -> true);
            assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).contains(
                    "model.language_model.embed_tokens.weight")).isTrue();
            Map<String, NDArray> io = LlavaFixture.io(manager);
            try (LlavaModel oldLayout = LlavaModel.builder().setCheckpoint(LlavaFixture.dir())
                            .optParentManager(manager).build();
                    LlavaModel newLayout = LlavaModel.builder().setCheckpoint(dir).optParentManager(manager).build()) {
                NDArray a = oldLayout.forward(io.get("pixel_values"), io.get("input_ids"), io.get("attention_mask"));
                NDArray b = newLayout.forward(io.get("pixel_values"), io.get("input_ids"), io.get("attention_mask"));
                assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
            }
        }
    }

    @Test
    void transformers5SavedLayoutsLoadAndMatch() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> io = LlavaFixture.io(manager);
            Path v5 = renamedCopy(manager, k -> true, LlavaCheckpointLayoutTest::transformers5Layout, "llava-v5");
            Path v5legacy = renamedCopy(manager, k -> true, LlavaCheckpointLayoutTest::transformers5LegacyPrefix,
                    "llava-v5-legacy");
            assertThat(SafetensorsFile.open(v5.resolve("model.safetensors")).contains(
                    "model.vision_tower.embeddings.patch_embedding.weight")).isTrue();
            assertThat(SafetensorsFile.open(v5legacy.resolve("model.safetensors")).contains(
                    "vision_tower.embeddings.patch_embedding.weight")).isTrue();
            try (LlavaModel hub = LlavaModel.builder().setCheckpoint(LlavaFixture.dir()).optParentManager(manager).build();
                    LlavaModel a = LlavaModel.builder().setCheckpoint(v5).optParentManager(manager).build();
                    LlavaModel b = LlavaModel.builder().setCheckpoint(v5legacy).optParentManager(manager).build()) {
                float[] expected = hub.forward(io.get("pixel_values"), io.get("input_ids"), io.get("attention_mask"))
                        .toFloatArray();
                assertThat(a.forward(io.get("pixel_values"), io.get("input_ids"), io.get("attention_mask"))
                        .toFloatArray()).containsExactly(expected);
                assertThat(b.forward(io.get("pixel_values"), io.get("input_ids"), io.get("attention_mask"))
                        .toFloatArray()).containsExactly(expected);
            }
        }
    }

    @Test
    void aMissingWeightIsNamedWithBothLayouts() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = renamedCopy(manager, k -> !k.equals("multi_modal_projector.linear_2.weight"));
            assertThatThrownBy(() -> LlavaModel.builder().setCheckpoint(dir).optParentManager(manager).build())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("multi_modal_projector.linear_2.weight")
                    .hasMessageContaining("model.multi_modal_projector.linear_2.weight");
        }
    }
}
