package io.vlmtagger.models.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.SafetensorsFile;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same tower serves IDEFICS (Flamingo): its {@code IdeficsVisionTransformer} is CLIP with an
 * exact-GELU MLP and {@code embed_dim} for the width. Checked against the idefics-llama-tiny
 * fixture's vision tensors (transformers 4.40.2), README bound {@code 1e-4 * max(1, max|ref|)}.
 */
class ClipVisionTowerIdeficsParityTest {

    @Test
    void lastHiddenStateWithClsMatchesIdeficsVision() {
        Path dir = FixtureCheckpoints.sharedDir().resolve("fixtures/hf-parity-flamingo/idefics-llama-tiny");
        // vision_config: embed_dim 32, intermediate 64, 3 layers, 4 heads, image 32, patch 4, gelu, eps 1e-5
        ClipVisionConfig config = new ClipVisionConfig(32, 64, 0, 3, 4, 3, 32, 4, "gelu", 1e-5);
        try (NDManager manager = NDManager.newBaseManager();
                WeightStore store = WeightStore.builder().setCheckpoint(dir).optParentManager(manager).build()) {
            Map<String, NDArray> io = SafetensorsFile.open(dir.resolve("io.safetensors")).readAll(manager);
            NDArray pixels = io.get("pixel_values"); // [B, N, C, H, W]
            long b = pixels.getShape().get(0);
            long n = pixels.getShape().get(1);
            NDArray flat = pixels.reshape(b * n, 3, 32, 32);
            ClipVisionTower tower = new ClipVisionTower(store.weights("model.vision_model."), config);

            NDArray embeddings = tower.hiddenState(flat, 0).reshape(b, n, 65, 32);
            NDArray last = tower.lastHiddenState(flat).reshape(b, n, 65, 32);
            assertWithin("vision_embeddings", embeddings, io.get("vision_embeddings"));
            assertWithin("vision_last_hidden_state", last, io.get("vision_last_hidden_state"));
        }
    }

    private static void assertWithin(String name, NDArray actual, NDArray reference) {
        assertThat(actual.getShape()).as(name).isEqualTo(reference.getShape());
        float[] a = actual.toFloatArray();
        float[] r = reference.toFloatArray();
        double maxRef = 0;
        double maxErr = 0;
        for (int i = 0; i < r.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            maxErr = Math.max(maxErr, Math.abs(a[i] - r[i]));
        }
        assertThat(maxErr).as("%s max abs error", name).isLessThanOrEqualTo(1e-4 * Math.max(1, maxRef));
    }
}
