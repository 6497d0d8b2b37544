package io.vlmtagger.models.testutil;

import io.vlmtagger.models.api.PixelValues;
import java.util.Random;

/** Preprocessed pixels of standard-normal noise, for tests that need an image but not its content. */
public final class RandomPixels {
    private RandomPixels() {}

    /** {@code 3 x size x size} values, the same for the same seed. */
    public static PixelValues of(long seed, int size) {
        Random random = new Random(seed);
        float[] chw = new float[3 * size * size];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian();
        }
        return new PixelValues(chw, 3, size, size);
    }
}
