package io.vlmtagger.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * CLIP's {@code embeddings.}: a stride-{@code p} patch convolution without bias, a learned class
 * embedding prepended, and learned absolute position embeddings added.
 *
 * <p>The convolution is computed as what it is for non-overlapping patches: each {@code C x p x
 * p} patch flattened and multiplied by the conv weight flattened to {@code [hidden, C*p*p]}.
 */
public final class ClipVisionEmbeddings {
    private final ClipVisionConfig config;
    private final Linear patchProjection;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;

    /** @param w weights prefixed to {@code ...vision_model.embeddings.} */
    public ClipVisionEmbeddings(Weights w, ClipVisionConfig config) {
        this.config = config;
        int h = config.hiddenSize();
        int c = config.numChannels();
        int p = config.patchSize();
        NDArray conv = w.get("patch_embedding.weight", h, c, p, p);
        this.patchProjection = new Linear(conv.reshape(h, (long) c * p * p), null);
        this.classEmbedding = w.get("class_embedding", h);
        this.positionEmbedding = w.get("position_embedding.weight", config.numPositions(), h);
    }

    /**
     * @param pixelValues {@code [B, C, H, W]}, H = W = image_size, any float type
     * @return {@code [B, 1 + patches, hidden]} in the weights' dtype
     */
    public NDArray forward(NDArray pixelValues) {
        long b = pixelValues.getShape().get(0);
        int c = config.numChannels();
        int p = config.patchSize();
        int side = config.imageSize();
        if (pixelValues.getShape().dimension() != 4 || pixelValues.getShape().get(1) != c
                || pixelValues.getShape().get(2) != side || pixelValues.getShape().get(3) != side) {
            throw new IllegalArgumentException("pixel values must be [B, " + c + ", " + side + ", " + side + "], got "
                    + pixelValues.getShape());
        }
        int grid = side / p;
        DataType type = classEmbedding.getDataType();
        NDArray x = pixelValues.getDataType() == type ? pixelValues : pixelValues.toType(type, false);
        // [B, C, gh, p, gw, p] -> [B, gh, gw, C, p, p] -> [B, gh*gw, C*p*p]
        NDArray patches = x.reshape(b, c, grid, p, grid, p)
                .transpose(0, 2, 4, 1, 3, 5)
                .reshape(b, (long) grid * grid, (long) c * p * p);
        NDArray patchEmbeds = patchProjection.forward(patches); // [B, N, hidden]
        long hidden = config.hiddenSize();
        // Views of weights are made in the weights' manager: attach them to the call's manager
        // (the one of patchEmbeds) so that they are freed with the call and so that everything
        // computed from them lands there too.
        NDManager call = patchEmbeds.getManager();
        NDArray clsRow = classEmbedding.reshape(1, 1, hidden);
        clsRow.attach(call);
        NDArray pos = positionEmbedding.expandDims(0); // [1, 1 + N, hidden]
        pos.attach(call);
        NDArray cls = clsRow.broadcast(b, 1, hidden);
        NDArray embeds = cls.concat(patchEmbeds, 1); // [B, 1 + N, hidden]
        return embeds.add(pos);
    }
}
