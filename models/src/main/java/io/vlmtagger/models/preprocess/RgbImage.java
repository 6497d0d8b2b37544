package io.vlmtagger.models.preprocess;

import java.util.Objects;

/**
 * An 8-bit RGB image, interleaved ({@code r,g,b,r,g,b,...}) row-major: what PIL calls mode
 * {@code "RGB"}. The intermediate form between decoding and resizing.
 */
public final class RgbImage {
    private final byte[] rgb;
    private final int width;
    private final int height;

    public RgbImage(byte[] rgb, int width, int height) {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    "rgb array has " + rgb.length + " bytes, expected " + width + "x" + height + "x3");
        }
        this.rgb = rgb;
        this.width = width;
        this.height = height;
    }

    /** The interleaved pixels. Not copied: do not modify. */
    public byte[] rgb() {
        return rgb;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel {@code c} (0 = red) of pixel {@code (x, y)} as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
