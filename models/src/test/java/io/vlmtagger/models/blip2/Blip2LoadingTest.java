package io.vlmtagger.models.blip2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BLIP-2 fixture written back as F16, BF16 and as three shards with an index loads and gives
 * the transformers logits within the precision of the stored weights; broken checkpoints fail
 * naming the key.
 */
class Blip2LoadingTest {
    @TempDir Path tmp;
    private Path fixture;
    private NDManager manager;
    private Map<String, NDArray> io;
    private Map<String, NDArray> weights;

    @BeforeEach
    void setUp() {
        fixture = FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY);
        manager = NDManager.newBaseManager();
        io = SafetensorsFile.open(fixture.resolve("io.safetensors")).readAll(manager);
        weights = SafetensorsFile.open(fixture.resolve("model.safetensors")).readAll(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Path writeBack(String name, SafetensorsDtype dtype, int shards, Map<String, NDArray> tensors) throws Exception {
        Path dir = tmp.resolve(name);
        SafetensorsWriter.builder().setDirectory(dir).optFloatDtype(dtype).optShardCount(shards).build().write(tensors);
        Files.copy(fixture.resolve("config.json"), dir.resolve("config.json"));
        return dir;
    }

    /** max |logits - reference| over attended positions, relative to max(1, max|reference|). */
    private double relativeLogitError(Path checkpoint, DataType computeType) {
        try (Blip2Model model = Blip2Model.builder().setCheckpoint(checkpoint).optDevice(Device.cpu()).optDataType(computeType).build();
                NDManager call = manager.newSubManager()) {
            NDArray pixels = io.get("pixel_values");
            NDArray ids = io.get("input_ids");
            NDArray mask = io.get("attention_mask");
            float[] actual = model.logits(pixels, ids, mask).toFloatArray();
            float[] ref = io.get("logits").toFloatArray();
            long[] lmMask = model.lmAttentionMask(mask).toLongArray();
            int vocab = model.decoder().vocabSize();
            double maxRef = 0;
            double maxDiff = 0;
            for (int i = 0; i < ref.length; i++) {
                if (lmMask[i / vocab] == 1) {
                    maxRef = Math.max(maxRef, Math.abs(ref[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - ref[i]));
                }
            }
            double relative = maxDiff / Math.max(1, maxRef);
            System.out.printf("[loading] %s computed in %s: max|logits - transformers| / max(1, max|ref|) = %.3g%n",
                    checkpoint.getFileName(), computeType, relative);
            return relative;
        }
    }

    @Test
    void threeShardsWithIndexGiveTheSameLogits() throws Exception {
        Path dir = writeBack("sharded", SafetensorsDtype.F32, 3, weights);
        assertThat(dir.resolve("model.safetensors")).doesNotExist();
        assertThat(dir.resolve("model.safetensors.index.json")).exists();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")))
                    .containsExactlyInAnyOrder("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                            "model-00003-of-00003.safetensors");
        }
        assertThat(relativeLogitError(dir, DataType.FLOAT32)).isLessThan(1e-4);
    }

    @Test
    void f16CheckpointLoadsWithinHalfPrecision() throws Exception {
        double error = relativeLogitError(writeBack("f16", SafetensorsDtype.F16, 1, weights), DataType.FLOAT32);
        assertThat(error).isLessThan(5e-3).isGreaterThan(0);
    }

    @Test
    void bf16CheckpointLoadsWithinBfloat16Precision() throws Exception {
        double error = relativeLogitError(writeBack("bf16", SafetensorsDtype.BF16, 1, weights), DataType.FLOAT32);
        assertThat(error).isLessThan(3e-2).isGreaterThan(0);
    }

    @Test
    void float16ComputeStaysCloseToFloat32() {
        assertThat(relativeLogitError(fixture, DataType.FLOAT16)).isLessThan(2e-2).isGreaterThan(0);
    }

    @Test
    void bfloat16ComputeIsRefusedBeforeItCanAbortTheJvm() {
        assertThatThrownBy(() -> Blip2Model.builder().setCheckpoint(fixture).optDevice(Device.cpu()).optDataType(DataType.BFLOAT16).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("BFLOAT16");
    }

    @Test
    void missingKeyFailsNamingItAndItsNeighbours() throws Exception {
        String key = "qformer.encoder.layer.1.crossattention.attention.key.weight";
        Map<String, NDArray> broken = new LinkedHashMap<>(weights);
        broken.remove(key);
        Path dir = writeBack("missing", SafetensorsDtype.F32, 1, broken);
        assertThatThrownBy(() -> Blip2Model.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("qformer.encoder.layer.1.crossattention.attention.key.bias");
    }

    @Test
    void misShapedKeyFailsNamingItAndBothShapes() throws Exception {
        String key = "language_projection.weight";
        Map<String, NDArray> broken = new LinkedHashMap<>(weights);
        long[] shape = weights.get(key).getShape().getShape();
        broken.put(key, manager.zeros(new ai.djl.ndarray.types.Shape(shape[0], shape[1] / 2)));
        Path dir = writeBack("misshaped", SafetensorsDtype.F32, 1, broken);
        assertThatThrownBy(() -> Blip2Model.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining("(" + shape[0] + ", " + shape[1] / 2 + ")")
                .hasMessageContaining("[" + shape[0] + ", " + shape[1] + "]");
    }
}
