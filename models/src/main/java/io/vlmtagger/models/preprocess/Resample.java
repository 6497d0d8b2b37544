package io.vlmtagger.models.preprocess;

import java.util.Arrays;

/**
 * PIL's resampling filters, by the integer ids HuggingFace image processors store in
 * {@code preprocessor_config.json} ({@code "resample": 3} = bicubic). The kernels and supports are
 * those of Pillow's {@code libImaging/Resample.c}.
 */
public enum Resample {
    NEAREST(0, 0.0),
    LANCZOS(1, 3.0),
    BILINEAR(2, 1.0),
    BICUBIC(3, 2.0),
    BOX(4, 0.5),
    HAMMING(5, 1.0);

    private static final double BICUBIC_A = -0.5;

    private final int pilId;
    private final double support;

    Resample(int pilId, double support) {
        this.pilId = pilId;
        this.support = support;
    }

    /** The id PIL (and {@code preprocessor_config.json}) uses for this filter. */
    public int pilId() {
        return pilId;
    }

    /** Half-width of the kernel at scale 1. */
    double support() {
        return support;
    }

    /** The filter by its PIL id. */
    public static Resample fromPilId(int id) {
        for (Resample r : values()) {
            if (r.pilId == id) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "unknown PIL resample id " + id + "; supported: " + Arrays.toString(values()) + " = 0..5");
    }

    /** The kernel weight at distance {@code x}. */
    double weight(double x) {
        switch (this) {
            case BOX:
                return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
            case BILINEAR:
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            case HAMMING:
                x = Math.abs(x);
                if (x == 0.0) {
                    return 1.0;
                }
                if (x >= 1.0) {
                    return 0.0;
                }
                x = x * Math.PI;
                return Math.sin(x) / x * (0.54 + 0.46 * Math.cos(x));
            case BICUBIC:
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((BICUBIC_A + 2.0) * x - (BICUBIC_A + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * BICUBIC_A;
                }
                return 0.0;
            case LANCZOS:
                if (x > -3.0 && x < 3.0) {
                    return sinc(x) * sinc(x / 3.0);
                }
                return 0.0;
            default:
                throw new IllegalStateException(this + " has no convolution kernel");
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }
}
