package io.vlmtagger.training.dataset;

import java.util.Locale;

/** Fill colours of shapes (saturated or bright, so that they stand out of the muted backgrounds). */
public enum ShapeColor {
    RED(225, 35, 35),
    GREEN(35, 190, 60),
    BLUE(45, 85, 235),
    YELLOW(245, 225, 35),
    PURPLE(160, 55, 210),
    WHITE(248, 248, 248);

    private final int r;
    private final int g;
    private final int b;

    ShapeColor(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code 0xRRGGBB}. */
    public int rgb() {
        return (r << 16) | (g << 8) | b;
    }
}
