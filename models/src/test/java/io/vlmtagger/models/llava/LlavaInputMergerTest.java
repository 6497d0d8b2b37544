package io.vlmtagger.models.llava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LlavaInputMergerTest {
    private static final long IMG = 9;
    private static final long PAD = 0;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Text embedding of token id t = [t, 10 t]; image i's patch p = [100 (i+1) + p, -1]. */
    private NDArray textEmbeds(long[][] ids) {
        int b = ids.length;
        int t = ids[0].length;
        float[] e = new float[b * t * 2];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                e[(r * t + i) * 2] = ids[r][i];
                e[(r * t + i) * 2 + 1] = 10 * ids[r][i];
            }
        }
        return manager.create(e, new Shape(b, t, 2));
    }

    private NDArray images(int n, int patches) {
        float[] f = new float[n * patches * 2];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < patches; p++) {
                f[(i * patches + p) * 2] = 100 * (i + 1) + p;
                f[(i * patches + p) * 2 + 1] = -1;
            }
        }
        return manager.create(f, new Shape(n, patches, 2));
    }

    private MergedInputs merge(long[][] ids, long[][] mask, int images) {
        int b = ids.length;
        int t = ids[0].length;
        long[] flatIds = new long[b * t];
        long[] flatMask = new long[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids[r], 0, flatIds, r * t, t);
            System.arraycopy(mask[r], 0, flatMask, r * t, t);
        }
        return LlavaInputMerger.merge(manager.create(flatIds, new Shape(b, t)), manager.create(flatMask, new Shape(b, t)),
                textEmbeds(ids), images(images, 3), IMG, PAD);
    }

    private static float[] firstColumn(NDArray embeds) {
        float[] all = embeds.toFloatArray();
        float[] out = new float[all.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = all[i * 2];
        }
        return out;
    }

    @Test
    void leftPaddedRowsReplaceTheImageTokenInPlace() {
        MergedInputs m = merge(new long[][] {{5, IMG, 6, 7}, {PAD, 5, IMG, 6}}, new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}}, 2);
        assertThat(m.inputsEmbeds().getShape()).isEqualTo(new Shape(2, 6, 2));
        assertThat(firstColumn(m.inputsEmbeds())).containsExactly(
                5, 100, 101, 102, 6, 7,
                0, 5, 200, 201, 202, 6);
        assertThat(m.attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
    }

    @Test
    void rowsWithFewerImagesGetFillerAtTheEndWhenRightPadded() {
        MergedInputs m = merge(new long[][] {{IMG, 5, IMG, 6}, {5, IMG, 6, PAD}}, new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}, 3);
        assertThat(m.length()).isEqualTo(8);
        assertThat(firstColumn(m.inputsEmbeds())).containsExactly(
                100, 101, 102, 5, 200, 201, 202, 6,
                5, 300, 301, 302, 6, 0, 0, 0);
        assertThat(m.attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        // padding and filler embeddings are exactly zero in every channel
        float[] all = m.inputsEmbeds().toFloatArray();
        for (int pos = 13; pos < 16; pos++) {
            assertThat(all[pos * 2 + 1]).isZero();
        }
    }

    @Test
    void fillerGoesInFrontWhenLeftPadded() {
        MergedInputs m = merge(new long[][] {{IMG, 5, IMG, 6}, {PAD, 5, IMG, 6}}, new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}}, 3);
        assertThat(firstColumn(m.inputsEmbeds())).containsExactly(
                100, 101, 102, 5, 200, 201, 202, 6,
                0, 0, 0, 5, 300, 301, 302, 6);
        assertThat(m.attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1);
    }

    @Test
    void imageCountMustMatchImageTokens() {
        assertThatThrownBy(() -> merge(new long[][] {{5, IMG, 6, 7}}, new long[][] {{1, 1, 1, 1}}, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 image tokens")
                .hasMessageContaining("2 images");
    }
}
