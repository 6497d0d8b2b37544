package io.vlmtagger.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NnMathTest {
    private NDManager model;
    private NDManager call;

    @BeforeEach
    void setUp() {
        model = NDManager.newBaseManager();
        call = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        call.close();
        model.close();
    }

    @Test
    void linearComputesXWtPlusBAndLeavesResultInCallManager() {
        float[] w = {1, 2, 3, 4, 5, 6}; // [out=2, in=3]
        Linear linear = new Linear(model.create(w, new Shape(2, 3)), model.create(new float[] {0.5f, -1}));
        NDArray x = call.create(new float[] {1, 0, -1, 2, 1, 0}, new Shape(1, 2, 3));
        NDArray y = linear.forward(x);
        assertThat(y.getShape()).isEqualTo(new Shape(1, 2, 2));
        // row0: [1-3+0.5, 4-6-1] ; row1: [2+2+0.5, 8+5-1]
        assertThat(y.toFloatArray()).containsExactly(-1.5f, -3f, 4.5f, 12f);
        assertThat(y.getManager()).isSameAs(call);
    }

    @Test
    void layerNormMatchesDefinition() {
        float[] xs = {1, 2, 4, -3};
        LayerNorm ln = new LayerNorm(model.create(new float[] {1, 2, 1, 1}), model.create(new float[] {0, 0, 1, 0}), 1e-5f);
        float[] y = ln.forward(call.create(xs, new Shape(1, 4))).toFloatArray();
        double mean = 1.0, var = (0 + 1 + 9 + 16) / 4.0;
        double[] expected = new double[4];
        double[] g = {1, 2, 1, 1};
        double[] b = {0, 0, 1, 0};
        for (int i = 0; i < 4; i++) {
            expected[i] = (xs[i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
            assertThat((double) y[i]).isCloseTo(expected[i], within(1e-5));
        }
    }

    @Test
    void activationsMatchReferenceValues() {
        NDArray x = call.create(new float[] {-1f, 0f, 1f, 2f});
        // exact erf GELU: x * Phi(x)
        assertThat(Activation.fromConfig("gelu").apply(x).toFloatArray())
                .containsExactly(new float[] {-0.15865526f, 0f, 0.84134475f, 1.9544997f}, within(1e-6f));
        assertThat(Activation.fromConfig("quick_gelu").apply(x).toFloatArray()[2])
                .isCloseTo((float) (1 / (1 + Math.exp(-1.702))), within(1e-6f));
        assertThat(Activation.fromConfig("relu").apply(x).toFloatArray()).containsExactly(0f, 0f, 1f, 2f);
        assertThat(Activation.fromConfig("silu").apply(x).toFloatArray()[3])
                .isCloseTo((float) (2 / (1 + Math.exp(-2))), within(1e-6f));
        assertThat(Activation.fromConfig("gelu_new").apply(x).toFloatArray()[2]).isCloseTo(0.8411920f, within(1e-5f));
    }

    @Test
    void unknownActivationNamesTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Activation.fromConfig("mish"))
                .hasMessageContaining("'mish'");
    }

    @Test
    void additiveMaskIsFiniteAndFullyMaskedRowsStayFinite() {
        // row 0 of the first sequence sees nothing (a padded query): fully masked
        NDArray allowed = call.create(new boolean[] {false, false, false, true, true, false, true, true, true},
                new Shape(1, 1, 3, 3));
        NDArray additive = Masks.additive(allowed, DataType.FLOAT32);
        float[] m = additive.toFloatArray();
        assertThat(m[0]).isEqualTo(Masks.FLOAT32_MIN);
        assertThat(m[3 + 1]).isZero();
        assertThat(m[3 + 2]).isEqualTo(Masks.FLOAT32_MIN);
        assertThat(Masks.additive(allowed, DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray()[0])
                .isEqualTo(-65504f);
        NDArray q = call.randomNormal(new Shape(1, 1, 3, 4));
        NDArray out = Attention.attend(q, q, q, additive, 0.5f);
        for (float f : out.toFloatArray()) {
            assertThat(Float.isFinite(f)).isTrue();
        }
    }

    @Test
    void attentionAgreesWithManualSoftmax() {
        NDArray q = call.create(new float[] {1, 0}, new Shape(1, 1, 1, 2));
        NDArray k = call.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
        NDArray v = call.create(new float[] {10, 0, 0, 10}, new Shape(1, 1, 2, 2));
        float[] out = Attention.attend(q, k, v, null, 2f).toFloatArray();
        double p0 = Math.exp(2) / (Math.exp(2) + 1);
        assertThat((double) out[0]).isCloseTo(10 * p0, within(1e-4));
        assertThat((double) out[1]).isCloseTo(10 * (1 - p0), within(1e-4));
    }

    @Test
    void splitAndMergeHeadsRoundTrip() {
        NDArray x = call.arange(24f).reshape(1, 2, 12);
        NDArray heads = Attention.splitHeads(x, 3);
        assertThat(heads.getShape()).isEqualTo(new Shape(1, 3, 2, 4));
        assertThat(heads.get("0, 1, 0").toFloatArray()).containsExactly(4, 5, 6, 7);
        assertThat(Attention.mergeHeads(heads).toFloatArray()).containsExactly(x.toFloatArray());
    }

    @Test
    void rotaryFrequenciesArePowersOfTheta() {
        assertThat(new Rotary(4, 10000.0).inverseFrequencies()).containsExactly(new float[] {1f, 0.01f}, within(1e-7f));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Rotary(3, 10000.0)).hasMessageContaining("even");
    }

    @Test
    void kvCacheAppendsAndReordersRows() {
        try (LayerKvCache cache = new LayerKvCache(1)) {
            NDArray k1 = call.create(new float[] {1, 2}, new Shape(2, 1, 1, 1));
            cache.append(0, k1, k1.mul(10));
            NDArray k2 = call.create(new float[] {3, 4}, new Shape(2, 1, 1, 1));
            NDList all = cache.append(0, k2, k2.mul(10));
            assertThat(cache.length()).isEqualTo(2);
            assertThat(all.get(0).toFloatArray()).containsExactly(1, 3, 2, 4);
            cache.reorder(call.create(new long[] {1, 1, 0}));
            assertThat(cache.batchSize()).isEqualTo(3);
            NDList after = cache.append(0, call.zeros(new Shape(3, 1, 1, 1)), call.zeros(new Shape(3, 1, 1, 1)));
            assertThat(after.get(1).toFloatArray()).containsExactly(20, 40, 0, 20, 40, 0, 10, 30, 0);
        }
    }
}
