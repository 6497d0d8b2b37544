package io.vlmtagger.models.llava;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.Map;

/** The llava-llama-tiny reference tensors and the README's comparison rules. */
final class LlavaFixture {
    static final String NAME = FixtureCheckpoints.LLAVA_LLAMA_TINY;

    private LlavaFixture() {}

    static Path dir() {
        return FixtureCheckpoints.fixture(NAME);
    }

    static Map<String, NDArray> io(NDManager manager) {
        return SafetensorsFile.open(dir().resolve("io.safetensors")).readAll(manager);
    }

    /** README bound: {@code max|a - ref| <= 1e-4 * max(1, max|ref|)}; returns the max error. */
    static double assertClose(String name, NDArray actual, NDArray reference) {
        assertThat(actual.getShape()).as(name + " shape").isEqualTo(reference.getShape());
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] r = reference.toType(DataType.FLOAT32, false).toFloatArray();
        return assertClose(name, a, r, null);
    }

    /** As above, only where {@code keep[i]} (null = everywhere). */
    static double assertClose(String name, float[] a, float[] r, boolean[] keep) {
        assertThat(a.length).as(name + " length").isEqualTo(r.length);
        double maxRef = 0;
        double maxErr = 0;
        for (int i = 0; i < r.length; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            maxErr = Math.max(maxErr, Math.abs(a[i] - r[i]));
            assertThat(Float.isNaN(a[i])).as(name + " NaN at " + i).isFalse();
        }
        double bound = 1e-4 * Math.max(1, maxRef);
        assertThat(maxErr).as("%s: max abs error %.3g over bound %.3g", name, maxErr, bound).isLessThanOrEqualTo(bound);
        return maxErr;
    }
}
