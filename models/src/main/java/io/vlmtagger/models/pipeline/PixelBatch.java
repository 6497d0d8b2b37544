package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.PixelValues;
import java.util.List;

/** Stacks preprocessed images into one {@code [B, C, H, W]} array. */
final class PixelBatch {

    private PixelBatch() {}

    /**
     * @param dataType the model's compute dtype
     * @throws IllegalArgumentException when the images differ in size (name the first that differs)
     */
    static NDArray stack(NDManager manager, List<PixelValues> images, DataType dataType) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to stack");
        }
        PixelValues first = images.get(0);
        int per = first.chw().length;
        float[] all = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            PixelValues p = images.get(i);
            if (p.channels() != first.channels() || p.height() != first.height() || p.width() != first.width()) {
                throw new IllegalArgumentException("image " + i + " is " + p.channels() + "x" + p.height() + "x" + p.width()
                        + " but image 0 is " + first.channels() + "x" + first.height() + "x" + first.width()
                        + ": preprocess every image of a batch with the same model");
            }
            System.arraycopy(p.chw(), 0, all, i * per, per);
        }
        NDArray pixels = manager.create(all, new Shape(images.size(), first.channels(), first.height(), first.width()));
        return dataType == DataType.FLOAT32 ? pixels : pixels.toType(dataType, false);
    }

    /**
     * Waits until {@code x} is computed: on a GPU the kernels only queue work, so a stage's time
     * (vision, for the timings) ends when one of its values can be read. A no-op on the CPU.
     */
    static void await(NDArray x) {
        if (x.getDevice().isGpu() && x.size() > 0) {
            try (NDArray flat = x.reshape(-1); NDArray first = flat.get(0)) {
                first.toType(DataType.FLOAT32, false).toFloatArray();
            }
        }
    }
}
