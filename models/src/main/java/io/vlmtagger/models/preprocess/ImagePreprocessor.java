package io.vlmtagger.models.preprocess;

import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.PixelValues;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Image bytes -> model-ready {@link PixelValues}, reproducing the HuggingFace image processor of a
 * checkpoint ({@link PreprocessorConfig}): decode and {@code convert("RGB")} ({@link
 * ImageDecoder}), resize with PIL's filter ({@link PilResizer}), centre crop, rescale, normalise,
 * CHW. The arithmetic follows transformers: {@code float32(uint8 * rescale_factor)}, then {@code
 * (x - mean) / std} in float32.
 *
 * <p>Immutable and thread-safe; meant to run on the caller's thread, before the model's batch.
 *
 * <pre>{@code
 * ImagePreprocessor pre = ImagePreprocessor.builder()
 *         .setConfig(PreprocessorConfig.fromCheckpoint(dir))
 *         .optMaxPixels(40_000_000)
 *         .build();
 * PixelValues pixels = pre.preprocess(jpegBytes);
 * }</pre>
 */
public final class ImagePreprocessor {
    /** Default pixel budget: 40 megapixels (a 40 MP RGB image is 120 MB decoded). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final PreprocessorConfig config;
    private final ImageDecoder decoder;

    private ImagePreprocessor(PreprocessorConfig config, long maxPixels) {
        this.config = config;
        this.decoder = new ImageDecoder(maxPixels);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A preprocessor for the checkpoint in {@code dir}, with the default pixel budget. */
    public static ImagePreprocessor fromCheckpoint(Path dir) {
        return builder().setConfig(PreprocessorConfig.fromCheckpoint(dir)).build();
    }

    public PreprocessorConfig config() {
        return config;
    }

    /** Size of the produced images: {@code [height, width]}. */
    public int[] outputSize(int imageWidth, int imageHeight) {
        int[] hw = resizedSize(imageWidth, imageHeight);
        if (config.doCenterCrop()) {
            return new int[] {config.cropHeight(), config.cropWidth()};
        }
        return hw;
    }

    /** Decodes and preprocesses encoded image bytes (JPEG, PNG, WebP, ...). */
    public PixelValues preprocess(byte[] encoded) throws ImageDecodeException {
        return preprocess(decoder.decode(encoded));
    }

    /** Preprocesses an already decoded image. */
    public PixelValues preprocess(BufferedImage image) {
        return preprocess(ImageDecoder.toRgb(image));
    }

    /** Preprocesses 8-bit RGB pixels. */
    public PixelValues preprocess(RgbImage image) {
        RgbImage img = image;
        if (config.doResize()) {
            int[] hw = resizedSize(img.width(), img.height());
            img = PilResizer.resize(img, hw[1], hw[0], config.resample());
        }
        if (config.doCenterCrop()) {
            img = centerCrop(img, config.cropHeight(), config.cropWidth());
        }
        return toChw(img);
    }

    private int[] resizedSize(int width, int height) {
        if (!config.doResize()) {
            return new int[] {height, width};
        }
        if (config.shortestEdge() <= 0) {
            return new int[] {config.resizeHeight(), config.resizeWidth()};
        }
        // transformers get_resize_output_image_size(default_to_square=False)
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newShort = config.shortestEdge();
        int newLong = (int) ((double) ((long) newShort * longSide) / shortSide);
        return width <= height ? new int[] {newLong, newShort} : new int[] {newShort, newLong};
    }

    /** transformers' {@code center_crop}: zero-pads first when the image is smaller than the crop. */
    static RgbImage centerCrop(RgbImage img, int cropH, int cropW) {
        int h = img.height();
        int w = img.width();
        if (h == cropH && w == cropW) {
            return img;
        }
        int top = Math.floorDiv(h - cropH, 2);
        int left = Math.floorDiv(w - cropW, 2);
        // Offsets of the source inside a zero canvas of max(crop, image) size.
        int newH = Math.max(cropH, h);
        int newW = Math.max(cropW, w);
        int topPad = (newH - h + 1) / 2;
        int leftPad = (newW - w + 1) / 2;
        int y0 = Math.max(0, top + topPad);
        int y1 = Math.min(newH, top + topPad + cropH);
        int x0 = Math.max(0, left + leftPad);
        int x1 = Math.min(newW, left + leftPad + cropW);
        int outH = y1 - y0;
        int outW = x1 - x0;
        byte[] out = new byte[outH * outW * 3];
        byte[] src = img.rgb();
        for (int y = 0; y < outH; y++) {
            int sy = y + y0 - topPad;
            if (sy < 0 || sy >= h) {
                continue;
            }
            for (int x = 0; x < outW; x++) {
                int sx = x + x0 - leftPad;
                if (sx >= 0 && sx < w) {
                    System.arraycopy(src, (sy * w + sx) * 3, out, (y * outW + x) * 3, 3);
                }
            }
        }
        return new RgbImage(out, outW, outH);
    }

    private PixelValues toChw(RgbImage img) {
        int h = img.height();
        int w = img.width();
        int plane = h * w;
        float[] chw = new float[3 * plane];
        byte[] rgb = img.rgb();
        float[] mean = config.imageMean();
        float[] std = config.imageStd();
        double factor = config.rescaleFactor();
        for (int c = 0; c < 3; c++) {
            // Lookup table over the 256 byte values; same float32 arithmetic as transformers.
            float[] lut = new float[256];
            for (int v = 0; v < 256; v++) {
                float x = config.doRescale() ? (float) (v * factor) : v;
                lut[v] = config.doNormalize() ? (x - mean[c]) / std[c] : x;
            }
            int base = c * plane;
            for (int i = 0; i < plane; i++) {
                chw[base + i] = lut[rgb[i * 3 + c] & 0xff];
            }
        }
        return new PixelValues(chw, 3, h, w);
    }

    /** Builder: {@code setConfig} is required. */
    public static final class Builder {
        private PreprocessorConfig config;
        private long maxPixels = DEFAULT_MAX_PIXELS;

        private Builder() {}

        /** The processor settings, usually {@link PreprocessorConfig#fromCheckpoint(Path)}. */
        public Builder setConfig(PreprocessorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Images with more than this many pixels are refused from their header (default 40 M). */
        public Builder optMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        public ImagePreprocessor build() {
            if (config == null) {
                throw new IllegalStateException(
                        "ImagePreprocessor needs setConfig(PreprocessorConfig.fromCheckpoint(dir))");
            }
            if (maxPixels <= 0) {
                throw new IllegalStateException("optMaxPixels must be positive, got " + maxPixels);
            }
            return new ImagePreprocessor(config, maxPixels);
        }
    }
}
