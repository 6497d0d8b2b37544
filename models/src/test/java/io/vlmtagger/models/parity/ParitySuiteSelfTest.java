package io.vlmtagger.models.parity;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.weights.SafetensorsDtype;
import io.vlmtagger.models.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parity machinery itself can fail: mismatches, unchecked tensors and unknown model types are reported. */
class ParitySuiteSelfTest {
    @TempDir Path dir;

    private void writeFixture(String modelType) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"" + modelType + "\"}");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = new LinkedHashMap<>();
            io.put("hidden", m.create(new float[] {1f, -2f, 3f, 40f}, new Shape(2, 2)));
            io.put("ids", m.create(new long[] {2, 5, 1}, new Shape(1, 3)));
            io.put("extra", m.create(new float[] {0f}));
            SafetensorsWriter.writeFile(dir.resolve("io.safetensors"), io, SafetensorsDtype.F32, Map.of());
        }
    }

    @Test
    void unknownModelTypeFailsNamingIt() throws Exception {
        writeFixture("gpt-17");
        assertThatThrownBy(() -> HfParityTest.run(dir))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("'gpt-17'")
                .hasMessageContaining("ParityCheckers");
    }

    @Test
    void mismatchesAndUncheckedTensorsAreReported() throws Exception {
        writeFixture("any");
        try (ParityCase p = ParityCase.open(dir); NDManager m = NDManager.newBaseManager()) {
            // bound = 1e-4 * max(1, 40) = 4e-3: a 1e-2 error on the element 3 fails
            p.expect("hidden", m.create(new float[] {1f, -2f, 3.01f, 40f}, new Shape(2, 2)));
            p.expectIds("ids", new long[][] {{2, 5, 2}});
            assertThatThrownBy(p::assertAllMatched)
                    .hasMessageContaining("hidden: max|diff|")
                    .hasMessageContaining("ids: row 0 is [2, 5, 2], reference [2, 5, 1]")
                    .hasMessageContaining("nobody computed: [extra]");
        }
    }

    @Test
    void scaleAwareBoundAcceptsRoundingNoiseAndMaskSkipsPadding() throws Exception {
        writeFixture("any");
        try (ParityCase p = ParityCase.open(dir); NDManager m = NDManager.newBaseManager()) {
            // row 1 (3, 40) masked out: only row 0 compared, bound 1e-4 * max(1, 2)
            p.expectWhere("hidden", m.create(new float[] {1.0001f, -2f, 99f, 0f}, new Shape(2, 2)),
                    m.create(new long[] {1, 0}, new Shape(2, 1)));
            p.expectIds("ids", new long[][] {{2, 5, 1}});
            p.input("extra");
            assertThatCode(p::assertAllMatched).doesNotThrowAnyException();
        }
    }
}
