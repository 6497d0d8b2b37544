package io.vlmtagger.training.dataset;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;

/** The shapes a scene may hold; {@link #word()} is the caption word. */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE,
    STAR,
    CROSS;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outline centred on {@code (cx, cy)} fitting a circle of radius {@code r} (pixels). */
    public Shape outline(double cx, double cy, double r) {
        return switch (this) {
            case CIRCLE -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case SQUARE -> {
                double h = r * 0.85;
                yield new Rectangle2D.Double(cx - h, cy - h, 2 * h, 2 * h);
            }
            case TRIANGLE -> polygon(cx, cy, new double[] {0, 0.92, -0.92}, new double[] {-1, 0.75, 0.75}, r);
            case STAR -> {
                double[] xs = new double[10];
                double[] ys = new double[10];
                for (int i = 0; i < 10; i++) {
                    double radius = i % 2 == 0 ? 1.0 : 0.42;
                    double angle = -Math.PI / 2 + i * Math.PI / 5;
                    xs[i] = radius * Math.cos(angle);
                    ys[i] = radius * Math.sin(angle) + 0.08;
                }
                yield polygon(cx, cy, xs, ys, r);
            }
            case CROSS -> {
                double a = 0.33;
                yield polygon(cx, cy,
                        new double[] {-a, a, a, 0.95, 0.95, a, a, -a, -a, -0.95, -0.95, -a},
                        new double[] {-0.95, -0.95, -a, -a, a, a, 0.95, 0.95, a, a, -a, -a}, r);
            }
        };
    }

    private static Shape polygon(double cx, double cy, double[] xs, double[] ys, double r) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(cx + xs[0] * r, cy + ys[0] * r);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(cx + xs[i] * r, cy + ys[i] * r);
        }
        p.closePath();
        return p;
    }
}
