package io.vlmtagger.models.preprocess;

/**
 * Resizes 8-bit RGB images the way Pillow's {@code Image.resize(size, resample)} does (with
 * {@code reducing_gap=None}, as HuggingFace image processors call it), so that our pixels match
 * the ones a checkpoint was trained and evaluated with.
 *
 * <p>Separable convolution, horizontal pass first, each pass rounding to 8 bits; the kernel is
 * stretched by the downscale factor (antialiasing) exactly as in Pillow's {@code
 * libImaging/Resample.c}: the same window bounds, the same normalised weights converted to
 * 22-bit fixed point, the same rounding and clipping. {@link Resample#NEAREST} picks source pixel
 * {@code floor((x + 0.5) * scale)} like Pillow's affine nearest path. Stateless and thread-safe.
 */
public final class PilResizer {
    /** Pillow: {@code PRECISION_BITS = 32 - 8 - 2}. */
    private static final int PRECISION_BITS = 22;

    private PilResizer() {}

    /** Resizes {@code in} to {@code outWidth x outHeight} with {@code filter}. */
    public static RgbImage resize(RgbImage in, int outWidth, int outHeight, Resample filter) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + outWidth + "x" + outHeight);
        }
        if (in.width() == outWidth && in.height() == outHeight) {
            return in;
        }
        if (filter == Resample.NEAREST) {
            return nearest(in, outWidth, outHeight);
        }
        Coefficients horiz = Coefficients.compute(in.width(), outWidth, filter);
        Coefficients vert = Coefficients.compute(in.height(), outHeight, filter);
        RgbImage cur = in;
        int firstRow = 0;
        if (in.width() != outWidth) {
            // Only the source rows the vertical pass will read (Pillow's ybox_first..ybox_last).
            firstRow = vert.bounds[0];
            int lastRow = vert.bounds[(outHeight - 1) * 2] + vert.bounds[(outHeight - 1) * 2 + 1];
            cur = horizontal(in, firstRow, lastRow - firstRow, horiz);
        }
        if (in.height() != outHeight) {
            cur = vertical(cur, firstRow, vert);
        }
        return cur;
    }

    private static RgbImage horizontal(RgbImage in, int firstRow, int rows, Coefficients c) {
        int outW = c.outSize;
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * rows * 3];
        int inW = in.width();
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * inW * 3;
            for (int x = 0; x < outW; x++) {
                int xmin = c.bounds[x * 2];
                int xmax = c.bounds[x * 2 + 1];
                int kBase = x * c.ksize;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int i = 0; i < xmax; i++) {
                    int p = rowBase + (xmin + i) * 3;
                    int k = c.fixed[kBase + i];
                    s0 += (src[p] & 0xff) * k;
                    s1 += (src[p + 1] & 0xff) * k;
                    s2 += (src[p + 2] & 0xff) * k;
                }
                int o = (y * outW + x) * 3;
                dst[o] = clip8(s0);
                dst[o + 1] = clip8(s1);
                dst[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(dst, outW, rows);
    }

    private static RgbImage vertical(RgbImage in, int rowShift, Coefficients c) {
        int outH = c.outSize;
        int w = in.width();
        byte[] src = in.rgb();
        byte[] dst = new byte[w * outH * 3];
        for (int y = 0; y < outH; y++) {
            int ymin = c.bounds[y * 2] - rowShift;
            int ymax = c.bounds[y * 2 + 1];
            int kBase = y * c.ksize;
            for (int x = 0; x < w; x++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int i = 0; i < ymax; i++) {
                    int p = ((ymin + i) * w + x) * 3;
                    int k = c.fixed[kBase + i];
                    s0 += (src[p] & 0xff) * k;
                    s1 += (src[p + 1] & 0xff) * k;
                    s2 += (src[p + 2] & 0xff) * k;
                }
                int o = (y * w + x) * 3;
                dst[o] = clip8(s0);
                dst[o + 1] = clip8(s1);
                dst[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(dst, w, outH);
    }

    private static RgbImage nearest(RgbImage in, int outW, int outH) {
        double sx = (double) in.width() / outW;
        double sy = (double) in.height() / outH;
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * outH * 3];
        for (int y = 0; y < outH; y++) {
            int yi = Math.min(in.height() - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < outW; x++) {
                int xi = Math.min(in.width() - 1, (int) ((x + 0.5) * sx));
                System.arraycopy(src, (yi * in.width() + xi) * 3, dst, (y * outW + x) * 3, 3);
            }
        }
        return new RgbImage(dst, outW, outH);
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Per output pixel: first source index, count, and fixed-point weights (Pillow's precompute_coeffs). */
    private static final class Coefficients {
        final int outSize;
        final int ksize;
        final int[] bounds;
        final int[] fixed;

        private Coefficients(int outSize, int ksize, int[] bounds, int[] fixed) {
            this.outSize = outSize;
            this.ksize = ksize;
            this.bounds = bounds;
            this.fixed = fixed;
        }

        static Coefficients compute(int inSize, int outSize, Resample filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] fixed = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.weight((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    fixed[xx * ksize + x] = w < 0
                            ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients(outSize, ksize, bounds, fixed);
        }
    }
}
