package io.vlmtagger.models.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tower alone, as IDEFICS will use it: last hidden state with CLS, layers on demand. */
class ClipVisionTowerTest {

    @Test
    void hiddenStateIndicesCountFromTheEmbeddingOutput() {
        assertThat(ClipVisionTower.absoluteIndex(-1, 3)).isEqualTo(3);
        assertThat(ClipVisionTower.absoluteIndex(-2, 3)).isEqualTo(2);
        assertThat(ClipVisionTower.absoluteIndex(0, 3)).isZero();
        assertThatThrownBy(() -> ClipVisionTower.absoluteIndex(-5, 3)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ClipVisionTower.absoluteIndex(4, 3)).hasMessageContaining("out of range");
    }

    @Test
    void lastHiddenStateKeepsClsAndEqualsTheLastOfAllStates() {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY);
        LlavaConfig config = LlavaConfig.load(dir);
        try (NDManager manager = NDManager.newBaseManager();
                WeightStore store = WeightStore.builder().setCheckpoint(dir).optParentManager(manager).build()) {
            ClipVisionTower tower = new ClipVisionTower(store.weights("vision_tower.vision_model."), config.vision());
            NDArray pixels = manager.randomNormal(new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            List<NDArray> states = tower.hiddenStates(pixels, 3);
            assertThat(states).hasSize(4);
            NDArray last = tower.lastHiddenState(pixels);
            assertThat(last.getShape().getShape()).containsExactly(1, 65, 32);
            assertThat(last.toFloatArray()).containsExactly(states.get(3).toFloatArray());
            assertThat(tower.pooledOutput(pixels).getShape().getShape()).containsExactly(1, 32);

            ClipVisionTower partial = new ClipVisionTower(store.weights("vision_tower.vision_model."), config.vision(), 2);
            assertThat(partial.hiddenState(pixels, -2).toFloatArray()).containsExactly(states.get(2).toFloatArray());
            assertThatThrownBy(() -> partial.lastHiddenState(pixels)).hasMessageContaining("not loaded");
            assertThatThrownBy(() -> tower.hiddenStates(manager.zeros(new ai.djl.ndarray.types.Shape(1, 3, 16, 16)), 1))
                    .hasMessageContaining("pixel values must be [B, 3, 32, 32]");
        }
    }
}
