package io.vlmtagger.models.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.generate.KvCache;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Llama inside the LLaVA fixture: cached steps equal a full forward, padding does not leak. */
class LlamaDecoderTest {

    @Test
    void positionIdsAreCumsumMinusOneWithOneAtPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new long[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 5));
            assertThat(LlamaDecoder.positionIds(mask).toLongArray()).containsExactly(1, 1, 0, 1, 2, 0, 1, 2, 3, 1);
        }
    }

    @Test
    void cachedStepsMatchTheFullForwardAndPaddingDoesNotLeak() {
        Path dir = FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY);
        LlavaConfig config = LlavaConfig.load(dir);
        try (NDManager m = NDManager.newBaseManager();
                WeightStore store = WeightStore.builder().setCheckpoint(dir).optParentManager(m).build()) {
            LlamaDecoder decoder = new LlamaDecoder(store.weights("language_model.model."),
                    store.weights("language_model.lm_head."), config.text());
            // rows 0 and 1: the same 5 real tokens after two left pads holding different ids;
            // row 2: no padding at all
            long[] ids = {126, 126, 5, 17, 33, 40, 9, 3, 64, 5, 17, 33, 40, 9, 5, 17, 33, 40, 9, 12, 7};
            NDArray inputIds = m.create(ids, new Shape(3, 7));
            NDArray mask = m.create(new long[] {0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                    new Shape(3, 7));
            NDArray embeds = decoder.embed(inputIds);
            NDArray full = decoder.forward(embeds, mask, null); // [3, 7, V]

            // same real tokens and positions -> same logits, whatever sits in the padded slots;
            // and the same as the unpadded row 2's first five positions
            float[] row0 = full.get(new NDIndex("0, 2:")).toFloatArray();
            float[] row1 = full.get(new NDIndex("1, 2:")).toFloatArray();
            for (int i = 0; i < row0.length; i++) {
                assertThat(row0[i]).isCloseTo(row1[i], within(1e-4f));
            }
            float[] row2 = full.get(new NDIndex("2, :5")).toFloatArray();
            for (int i = 0; i < row0.length; i++) {
                assertThat(row0[i]).isCloseTo(row2[i], within(1e-4f));
            }

            try (KvCache cache = decoder.newCache()) {
                NDArray first = decoder.forward(embeds.get(new NDIndex(":, :5")), mask.get(new NDIndex(":, :5")), cache);
                assertThat(cache.length()).isEqualTo(5);
                NDArray sixth = decoder.forward(embeds.get(new NDIndex(":, 5:6")), mask.get(new NDIndex(":, :6")), cache);
                NDArray seventh = decoder.forward(embeds.get(new NDIndex(":, 6:7")), mask, cache);
                // padding query rows are fully masked: their logits are an artefact, compare real ones
                assertClose(first, full.get(new NDIndex(":, :5")), mask.get(new NDIndex(":, :5")));
                assertClose(sixth, full.get(new NDIndex(":, 5:6")), mask.get(new NDIndex(":, 5:6")));
                assertClose(seventh, full.get(new NDIndex(":, 6:7")), mask.get(new NDIndex(":, 6:7")));
                assertThatThrownBy(() -> decoder.forward(embeds.get(new NDIndex(":, 6:7")), mask, cache))
                        .hasMessageContaining("attention mask covers 7 positions but the cache holds 7");
            }
        }
    }

    private static void assertClose(NDArray actual, NDArray expected, NDArray mask) {
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        long[] keep = mask.toLongArray();
        int vocab = a.length / keep.length;
        assertThat(a).hasSameSizeAs(e);
        int compared = 0;
        for (int i = 0; i < a.length; i++) {
            if (keep[i / vocab] == 1) {
                assertThat(a[i]).as("logit %d", i).isCloseTo(e[i], within(1e-4f));
                compared++;
            }
        }
        assertThat(compared).isPositive();
    }
}
