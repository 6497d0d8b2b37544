package io.vlmtagger.models.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightStoreTest {
    @TempDir Path dir;
    private NDManager manager;
    private Map<String, NDArray> tensors;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        tensors = new LinkedHashMap<>();
        tensors.put("model.language_model.embed_tokens.weight", manager.arange(12f).div(7f).reshape(4, 3));
        tensors.put("model.vision_tower.proj.bias", manager.create(new float[] {0.1f, -2.5f, 3.333f}));
        tensors.put("lm_head.weight", manager.create(new float[] {1e-3f, 65000f, -1f, 0.5f, 0f, 7f}, new Shape(2, 3)));
        tensors.put("position_ids", manager.create(new long[] {0, 1, 2, 5_000_000_000L}));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private WeightStore open(Path checkpoint) {
        return WeightStore.builder().setCheckpoint(checkpoint).build();
    }

    @Test
    void f32RoundTripIsExactAndIntegersKeepTheirType() throws Exception {
        SafetensorsWriter.builder().setDirectory(dir).build().write(tensors);
        assertThat(dir.resolve("model.safetensors")).exists();
        try (WeightStore store = open(dir)) {
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray loaded = store.get(e.getKey(), e.getValue().getShape().getShape());
                assertThat(loaded.getDataType()).isEqualTo(e.getValue().getDataType());
                assertThat(loaded.contentEquals(e.getValue())).as(e.getKey()).isTrue();
            }
            assertThat(store.get("position_ids").toLongArray()).endsWith(5_000_000_000L);
        }
    }

    @Test
    void halfPrecisionFilesLoadAsFloat32WithinHalfPrecision() throws Exception {
        for (SafetensorsDtype dtype : new SafetensorsDtype[] {SafetensorsDtype.F16, SafetensorsDtype.BF16}) {
            Path out = dir.resolve(dtype.name());
            SafetensorsWriter.builder().setDirectory(out).optFloatDtype(dtype).build().write(tensors);
            assertThat(SafetensorsFile.open(out.resolve("model.safetensors")).entries()
                    .get("lm_head.weight").dtype()).isEqualTo(dtype);
            double rel = dtype == SafetensorsDtype.F16 ? 1e-3 : 8e-3;
            try (WeightStore store = open(out)) {
                float[] expected = tensors.get("lm_head.weight").toFloatArray();
                NDArray loaded = store.get("lm_head.weight", 2, 3);
                assertThat(loaded.getDataType()).isEqualTo(DataType.FLOAT32);
                float[] actual = loaded.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i]).as("%s[%d]", dtype, i)
                            .isCloseTo(expected[i], within(rel * Math.abs(expected[i]) + 1e-7));
                }
            }
        }
    }

    @Test
    void bf16BitsAreTheUpperHalfOfFloat32() {
        assertThat(Bf16.toFloat(Bf16.fromFloat(1.5f))).isEqualTo(1.5f);
        assertThat(Bf16.fromFloat(1.0f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even (1.0)
        assertThat(Bf16.toFloat(Bf16.fromFloat(1f + 1f / 256))).isEqualTo(1.0f);
        assertThat(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void shardedCheckpointWithIndexLoadsEveryKey() throws Exception {
        var files = SafetensorsWriter.builder().setDirectory(dir).optShardCount(3).build().write(tensors);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("model-00001-of-00003.safetensors", "model.safetensors.index.json");
        assertThat(Files.readString(dir.resolve("model.safetensors.index.json"))).contains("weight_map", "total_size");
        try (WeightStore store = open(dir)) {
            assertThat(store.storedKeys()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
            assertThat(store.get("model.vision_tower.proj.bias").toFloatArray()).containsExactly(0.1f, -2.5f, 3.333f);
        }
    }

    @Test
    void aliasesAndTiesResolveToStoredKeys() throws Exception {
        SafetensorsWriter.builder().setDirectory(dir).build().write(tensors);
        try (WeightStore store = WeightStore.builder().setCheckpoint(dir)
                .optAlias("language_model.model.", "model.language_model.")
                .optAlias("language_model.lm_head.", "lm_head.")
                .optTie("language_model.model.output.weight", "language_model.model.embed_tokens.weight")
                .build()) {
            NDArray embed = store.get("language_model.model.embed_tokens.weight", 4, 3);
            assertThat(store.weights("language_model.").sub("model.").get("output.weight")).isSameAs(embed);
            assertThat(store.get("language_model.lm_head.weight", 2, 3).toFloatArray()[1]).isEqualTo(65000f);
            assertThat(store.find("language_model.model.norm.weight")).isEmpty();
        }
    }

    @Test
    void missingKeyNamesCheckpointKeyAndNearMisses() throws Exception {
        SafetensorsWriter.builder().setDirectory(dir).build().write(tensors);
        try (WeightStore store = open(dir)) {
            assertThatThrownBy(() -> store.get("model.vision_tower.proj.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("'model.vision_tower.proj.weight'")
                    .hasMessageContaining("model.vision_tower.proj.bias");
        }
    }

    @Test
    void misShapedKeyNamesExpectedAndActualShape() throws Exception {
        SafetensorsWriter.builder().setDirectory(dir).build().write(tensors);
        try (WeightStore store = open(dir)) {
            assertThatThrownBy(() -> store.get("lm_head.weight", 3, 2))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'lm_head.weight'")
                    .hasMessageContaining("(2, 3)")
                    .hasMessageContaining("[3, 2]");
            assertThat(store.get("lm_head.weight", -1, 3).getShape()).isEqualTo(new Shape(2, 3));
        }
    }

    @Test
    void directoryWithoutWeightsSaysWhatIsThere() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("config.json");
    }

    @Test
    void truncatedFileFailsWithItsName() throws Exception {
        SafetensorsWriter.builder().setDirectory(dir).build().write(tensors);
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 8));
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors");
    }
}
