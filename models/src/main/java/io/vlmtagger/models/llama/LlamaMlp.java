package io.vlmtagger.models.llama;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/** Llama's gated MLP ({@code mlp.}): {@code down(act(gate(x)) * up(x))}, no biases. */
public final class LlamaMlp {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;
    private final Activation act;

    /** @param w weights prefixed to {@code ...layers.N.mlp.} */
    public LlamaMlp(Weights w, LlamaConfig config) {
        int h = config.hiddenSize();
        int ff = config.intermediateSize();
        this.gateProj = Linear.loadNoBias(w.sub("gate_proj."), ff, h);
        this.upProj = Linear.loadNoBias(w.sub("up_proj."), ff, h);
        this.downProj = Linear.loadNoBias(w.sub("down_proj."), h, ff);
        this.act = Activation.fromConfig(config.hiddenAct());
    }

    public NDArray forward(NDArray x) {
        return downProj.forward(act.apply(gateProj.forward(x)).mul(upProj.forward(x)));
    }
}
