package io.vlmtagger.training.dataset;

import java.util.List;
import java.util.Optional;

/**
 * A generated scene: one to three shapes (distinct kinds, distinct colours), ordered left to right,
 * on a two-colour gradient background with pixel noise. {@code seed} drives the noise, so the same
 * scene always renders to the same pixels.
 */
public record Scene(int index, List<SceneObject> objects, int backgroundTop, int backgroundBottom, double noiseSigma,
        long seed) {

    public Scene {
        objects = List.copyOf(objects);
    }

    public Optional<SceneObject> find(ShapeKind kind) {
        return objects.stream().filter(o -> o.kind() == kind).findFirst();
    }

    public Optional<SceneObject> find(ShapeColor color) {
        return objects.stream().filter(o -> o.color() == color).findFirst();
    }

    /** The caption of the fixed grammar, see {@link CaptionGrammar#caption}. */
    public String caption() {
        return CaptionGrammar.caption(this);
    }
}
