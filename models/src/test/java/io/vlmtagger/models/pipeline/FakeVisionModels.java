package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.testutil.ToyDecoder;
import java.util.Random;

/**
 * Vision-language models for pipeline tests: a {@link ToyDecoder} language model and a vision part
 * that maps the per-channel pixel means through a fixed random matrix to {@code rows} vectors.
 */
final class FakeVisionModels {
    static final int HIDDEN = 16;

    private FakeVisionModels() {}

    static NDArray project(NDArray pixels, NDArray weight, int rows) {
        long batch = pixels.getShape().get(0);
        return pixels.reshape(batch, 3, -1).mean(new int[] {2}).matMul(weight).reshape(batch, rows, HIDDEN);
    }

    static NDArray weight(NDManager m, int rows, long seed) {
        Random random = new Random(seed);
        float[] w = new float[3 * rows * HIDDEN];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return m.create(w, new Shape(3, rows * HIDDEN));
    }

    static PixelValues image(long seed, int size) {
        Random random = new Random(seed);
        float[] chw = new float[3 * size * size];
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            float offset = (float) (2 * random.nextGaussian()); // images differ in colour, so features differ
            for (int i = 0; i < plane; i++) {
                chw[c * plane + i] = offset + (float) random.nextGaussian();
            }
        }
        return new PixelValues(chw, 3, size, size);
    }

    /** BLIP-2 shaped: Q soft prompt rows. */
    static SoftPromptModel softPrompt(NDManager m, int vocab, int queries) {
        ToyDecoder decoder = ToyDecoder.create(m, vocab, HIDDEN, 64, 5);
        NDArray w = weight(m, queries, 9);
        return new SoftPromptModel() {
            @Override
            public NDArray softPrompt(NDArray pixelValues) {
                return project(pixelValues, w, queries);
            }

            @Override
            public CausalDecoder decoder() {
                return decoder;
            }

            @Override
            public NDManager newCallManager() {
                return m.newSubManager();
            }

            @Override
            public DataType dataType() {
                return DataType.FLOAT32;
            }
        };
    }

    /** LLaVA shaped: N feature rows replacing the image token. */
    static ImageFeatureModel imageFeatures(NDManager m, int vocab, int features, long imageToken, int context) {
        ToyDecoder decoder = ToyDecoder.create(m, vocab, HIDDEN, context, 6);
        NDArray w = weight(m, features, 10);
        return new ImageFeatureModel() {
            @Override
            public NDArray imageFeatures(NDArray pixelValues) {
                return project(pixelValues, w, features);
            }

            @Override
            public int featuresPerImage() {
                return features;
            }

            @Override
            public long imageTokenId() {
                return imageToken;
            }

            @Override
            public CausalDecoder decoder() {
                return decoder;
            }

            @Override
            public int maxContextTokens() {
                return context;
            }

            @Override
            public NDManager newCallManager() {
                return m.newSubManager();
            }

            @Override
            public DataType dataType() {
                return DataType.FLOAT32;
            }
        };
    }
}
