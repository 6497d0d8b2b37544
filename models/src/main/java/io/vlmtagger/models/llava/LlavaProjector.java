package io.vlmtagger.models.llava;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/** {@code multi_modal_projector.}: {@code linear_2(act(linear_1(x)))}, vision width -> text width. */
public final class LlavaProjector {
    private final Linear linear1;
    private final Linear linear2;
    private final Activation act;

    /** @param w weights prefixed to {@code multi_modal_projector.} */
    public LlavaProjector(Weights w, int visionHidden, int textHidden, String hiddenAct) {
        this.linear1 = Linear.load(w.sub("linear_1."), textHidden, visionHidden);
        this.linear2 = Linear.load(w.sub("linear_2."), textHidden, textHidden);
        this.act = Activation.fromConfig(hiddenAct);
    }

    /** {@code [..., visionHidden] -> [..., textHidden]}. */
    public NDArray forward(NDArray features) {
        return linear2.forward(act.apply(linear1.forward(features)));
    }
}
