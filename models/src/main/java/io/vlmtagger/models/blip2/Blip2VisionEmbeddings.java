package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code vision_model.embeddings}: patch convolution (kernel = stride = patch size, with bias),
 * a learned class token first, plus learned absolute position embeddings.
 */
final class Blip2VisionEmbeddings {
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;
    private final Shape stride;
    private final int hidden;
    private final DataType dataType;

    Blip2VisionEmbeddings(Weights w, Blip2VisionConfig c) {
        int d = c.hiddenSize();
        int p = c.patchSize();
        this.patchWeight = w.get("patch_embedding.weight", d, c.numChannels(), p, p);
        this.patchBias = w.get("patch_embedding.bias", d);
        this.classEmbedding = w.get("class_embedding", 1, 1, d);
        this.positionEmbedding = w.get("position_embedding", 1, c.numPositions(), d);
        this.stride = new Shape(p, p);
        this.hidden = d;
        this.dataType = w.dataType();
    }

    /** {@code pixelValues [B, C, H, W]} (any float type) -> {@code [B, 1 + N, D]}. */
    NDArray forward(NDArray pixelValues) {
        NDArray pixels = pixelValues.getDataType() == dataType ? pixelValues : pixelValues.toType(dataType, false);
        long b = pixels.getShape().get(0);
        NDArray patches = pixels.getNDArrayInternal()
                .convolution(pixels, patchWeight, patchBias, stride, new Shape(0, 0), new Shape(1, 1), 1)
                .singletonOrThrow(); // [B, D, H/p, W/p]
        NDArray tokens = patches.reshape(b, hidden, -1).transpose(0, 2, 1); // [B, N, D]
        NDArray cls = pixels.getManager().zeros(new Shape(b, 1, hidden), dataType).add(classEmbedding); // [B, 1, D]
        NDArray embeddings = cls.concat(tokens, 1); // [B, 1 + N, D]
        long positions = embeddings.getShape().get(1);
        NDArray pos = positionEmbedding.get(new NDIndex(":, :{}, :", positions)); // a view made in the weights' manager
        pos.attach(pixels.getManager()); // ... so free it with the call, or every call leaks one handle
        return embeddings.add(pos);
    }
}
