package io.vlmtagger.models.api;

import java.util.Objects;

/**
 * One preprocessed image: normalised float pixels in CHW order, ready to be stacked into a
 * {@code [B, C, H, W]} batch. Produced by {@link ImageCaptioner#preprocess} or {@link
 * VisualChatModel#preprocess} on any thread (off the model thread); plain heap data, no native
 * memory.
 */
public final class PixelValues {
    private final float[] chw;
    private final int channels;
    private final int height;
    private final int width;

    public PixelValues(float[] chw, int channels, int height, int width) {
        this.chw = Objects.requireNonNull(chw, "chw");
        if ((long) channels * height * width != chw.length) {
            throw new IllegalArgumentException(
                    "pixel array has " + chw.length + " values, expected " + channels + "x" + height + "x" + width);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The pixels, CHW, row-major. Not copied: do not modify. */
    public float[] chw() {
        return chw;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }
}
