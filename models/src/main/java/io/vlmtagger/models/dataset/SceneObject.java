package io.vlmtagger.models.dataset;

/**
 * One shape of a scene: kind, colour, size class and where it sits (centre and radius in pixels).
 * {@code column} is the horizontal slot (0 = left), the order in which captions name the shapes.
 */
public record SceneObject(ShapeKind kind, ShapeColor color, boolean large, int column, double cx, double cy,
        double radius) {

    public String sizeWord() {
        return large ? "large" : "small";
    }

    /** {@code "large red circle"}. */
    public String phrase() {
        return sizeWord() + " " + color.word() + " " + kind.word();
    }
}
