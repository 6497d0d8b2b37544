package io.vlmtagger.training.fewshot;

import io.vlmtagger.training.fewshot.Look.Property;
import java.util.List;
import java.util.Locale;

/**
 * What an episode's labels name: one property or a pair. Training episodes use the single
 * properties and four pairs; the two other pairs ({@link #HELD_OUT}) appear only in held-out
 * evaluation, so the model must read from the exemplars which properties matter.
 */
public enum Rule {
    SHAPE(Property.SHAPE),
    COLOR(Property.COLOR),
    SIZE(Property.SIZE),
    COUNT(Property.COUNT),
    SHAPE_COLOR(Property.SHAPE, Property.COLOR),
    COLOR_SIZE(Property.COLOR, Property.SIZE),
    SHAPE_COUNT(Property.SHAPE, Property.COUNT),
    SIZE_COUNT(Property.SIZE, Property.COUNT),
    SHAPE_SIZE(Property.SHAPE, Property.SIZE),
    COLOR_COUNT(Property.COLOR, Property.COUNT);

    /** Rules of training episodes. */
    public static final List<Rule> TRAINING = List.of(SHAPE, COLOR, SIZE, COUNT, SHAPE_COLOR, COLOR_SIZE,
            SHAPE_COUNT, SIZE_COUNT);
    /** Property combinations never used in training. */
    public static final List<Rule> HELD_OUT = List.of(SHAPE_SIZE, COLOR_COUNT);

    private final List<Property> properties;

    Rule(Property... properties) {
        this.properties = List.of(properties);
    }

    public List<Property> properties() {
        return properties;
    }

    /** How many distinct values the rule's properties take together. */
    public int domain() {
        int n = 1;
        for (Property p : properties) {
            n *= p.domain();
        }
        return n;
    }

    /** {@code look} with the rule's properties set to combined value {@code value} (mixed radix). */
    public Look apply(Look look, int value) {
        Look out = look;
        for (Property p : properties) {
            out = out.with(p, value % p.domain());
            value /= p.domain();
        }
        return out;
    }

    /** The combined value of the rule's properties in {@code look}. */
    public int value(Look look) {
        int v = 0;
        int radix = 1;
        for (Property p : properties) {
            v += look.value(p) * radix;
            radix *= p.domain();
        }
        return v;
    }

    /** {@code "shape+color"}. */
    public String label() {
        return String.join("+", properties.stream().map(Property::word).toList()).toLowerCase(Locale.ROOT);
    }
}
