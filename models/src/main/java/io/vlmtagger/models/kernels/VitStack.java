package io.vlmtagger.models.kernels;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of pre-LN vision transformer layers run by {@code vit.ts} (BLIP-2's vision encoder, the
 * CLIP towers of LLaVA and IDEFICS): any run of consecutive layers is one kernel call. Holds only
 * the layers' weights; thread-safe; close it before the kernels it was built on.
 */
public final class VitStack implements AutoCloseable {
    private final Kernels kernels;
    private final TensorList weights;
    private final long[] cfg;
    private final double[] fcfg;
    private final int layers;

    /**
     * @param layerWeights each layer's 12 arrays in {@code vit.ts}'s order
     * @param heads attention heads
     * @param activation {@code Activation.kernelCode()} of the MLP activation
     */
    public VitStack(Kernels kernels, List<List<NDArray>> layerWeights, int heads, int activation, double layerNormEps) {
        List<NDArray> flat = new ArrayList<>(12 * layerWeights.size());
        for (List<NDArray> layer : layerWeights) {
            if (layer.size() != 12) {
                throw new IllegalArgumentException("a vit.ts layer has 12 weights, got " + layer.size());
            }
            flat.addAll(layer);
        }
        this.kernels = kernels;
        this.weights = kernels.list(flat);
        this.cfg = new long[] {heads, activation};
        this.fcfg = new double[] {layerNormEps};
        this.layers = layerWeights.size();
    }

    public int layers() {
        return layers;
    }

    /** Layers {@code first .. first + count - 1}: {@code [B, T, D] -> [B, T, D]}, in x's manager. */
    public NDArray forward(NDArray x, int first, int count) {
        if (first < 0 || count < 0 || first + count > layers) {
            throw new IllegalArgumentException("layers " + first + ".." + (first + count - 1) + " of a " + layers
                    + "-layer stack");
        }
        if (count == 0) {
            return x;
        }
        return kernels.call("vit_layers").tensor(x).list(weights).i(first).i(count).ints(cfg).floats(fcfg)
                .run(x.getManager());
    }

    @Override
    public void close() {
        weights.close();
    }
}
