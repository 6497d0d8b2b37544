package io.vlmtagger.training.fewshot;

import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapeColor;
import io.vlmtagger.training.dataset.ShapeKind;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What a few-shot image shows: {@code count} copies (1 to 3, in distinct columns) of one shape, all
 * of one kind, colour and size, so that every property of an episode ({@link Rule}) has one value
 * per image.
 */
public record Look(ShapeKind kind, ShapeColor color, boolean large, int count) {
    public static final int MAX_COUNT = 3;
    private static final String[] COUNTS = {"zero", "one", "two", "three"};

    /** The value of {@code property}: an index into its domain. */
    public int value(Property property) {
        return switch (property) {
            case SHAPE -> kind.ordinal();
            case COLOR -> color.ordinal();
            case SIZE -> large ? 1 : 0;
            case COUNT -> count - 1;
        };
    }

    /** This look with {@code property} set to {@code value}. */
    public Look with(Property property, int value) {
        return switch (property) {
            case SHAPE -> new Look(ShapeKind.values()[value], color, large, count);
            case COLOR -> new Look(kind, ShapeColor.values()[value], large, count);
            case SIZE -> new Look(kind, color, value == 1, count);
            case COUNT -> new Look(kind, color, large, value + 1);
        };
    }

    /** A look with every property drawn uniformly. */
    public static Look random(Random r) {
        Look look = new Look(ShapeKind.CIRCLE, ShapeColor.RED, false, 1);
        for (Property p : Property.values()) {
            look = look.with(p, r.nextInt(p.domain()));
        }
        return look;
    }

    /** A scene of this look: columns, rows, jitter, background and noise from {@code r}. */
    public Scene scene(ShapesDataset data, int index, Random r) {
        List<Integer> columns = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(columns, r);
        List<Integer> used = new ArrayList<>(columns.subList(0, count));
        Collections.sort(used);
        return data.compose(index, used, Collections.nCopies(count, kind), Collections.nCopies(count, color),
                () -> large, r);
    }

    /** {@code "two large red circles"}. */
    public String describe() {
        return COUNTS[count] + " " + (large ? "large" : "small") + " " + color.word() + " " + kind.word()
                + (count > 1 ? (kind == ShapeKind.CROSS ? "es" : "s") : "");
    }

    @Override
    public String toString() {
        return describe().toLowerCase(Locale.ROOT);
    }

    /** The four properties an image has. */
    public enum Property {
        SHAPE(ShapeKind.values().length),
        COLOR(ShapeColor.values().length),
        SIZE(2),
        COUNT(MAX_COUNT);

        private final int domain;

        Property(int domain) {
            this.domain = domain;
        }

        /** How many values it takes. */
        public int domain() {
            return domain;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
