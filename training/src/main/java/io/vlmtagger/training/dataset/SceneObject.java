package io.vlmtagger.training.dataset;

/**
 * One shape of a scene: kind, colour, size class and where it sits (centre and radius in pixels).
 * {@code column} is the horizontal slot (0 = left), the order in which captions name the shapes;
 * {@code row} the vertical one (0 = top).
 */
public record SceneObject(ShapeKind kind, ShapeColor color, boolean large, int column, int row, double cx, double cy,
        double radius) {

    public String sizeWord() {
        return large ? "large" : "small";
    }

    /** {@code "large red circle"}. */
    public String phrase() {
        return sizeWord() + " " + color.word() + " " + kind.word();
    }
}
