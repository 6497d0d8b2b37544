package io.vlmtagger.models.clip;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.config.ClipVisionConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * One pre-LN CLIP encoder layer ({@code encoder.layers.N.}): {@code x + attn(ln1(x))}, then
 * {@code x + fc2(act(fc1(ln2(x))))}. Bidirectional attention with separate q/k/v/out projections
 * (all with bias), queries scaled by {@code head_dim^-0.5} before the product as CLIP does.
 */
public final class ClipEncoderLayer {
    private final int heads;
    private final float scale;
    private final LayerNorm layerNorm1;
    private final LayerNorm layerNorm2;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final Linear fc1;
    private final Linear fc2;
    private final Activation act;

    /** @param w weights prefixed to {@code ...encoder.layers.N.} */
    public ClipEncoderLayer(Weights w, ClipVisionConfig config) {
        int h = config.hiddenSize();
        int ff = config.intermediateSize();
        float eps = (float) config.layerNormEps();
        this.heads = config.numAttentionHeads();
        this.scale = (float) Math.pow(config.headDim(), -0.5);
        this.layerNorm1 = LayerNorm.load(w.sub("layer_norm1."), h, eps);
        this.layerNorm2 = LayerNorm.load(w.sub("layer_norm2."), h, eps);
        Weights attn = w.sub("self_attn.");
        this.qProj = Linear.load(attn.sub("q_proj."), h, h);
        this.kProj = Linear.load(attn.sub("k_proj."), h, h);
        this.vProj = Linear.load(attn.sub("v_proj."), h, h);
        this.outProj = Linear.load(attn.sub("out_proj."), h, h);
        this.fc1 = Linear.load(w.sub("mlp.fc1."), ff, h);
        this.fc2 = Linear.load(w.sub("mlp.fc2."), h, ff);
        this.act = Activation.fromConfig(config.hiddenAct());
    }

    /** {@code [B, T, hidden] -> [B, T, hidden]}. */
    public NDArray forward(NDArray x) {
        NDArray normed = layerNorm1.forward(x);
        NDArray q = Attention.splitHeads(qProj.forward(normed).mul(scale), heads); // [B, h, T, d]
        NDArray k = Attention.splitHeads(kProj.forward(normed), heads);
        NDArray v = Attention.splitHeads(vProj.forward(normed), heads);
        NDArray attended = Attention.mergeHeads(Attention.attend(q, k, v, null, 1f)); // [B, T, hidden]
        NDArray h = x.add(outProj.forward(attended));
        NDArray mlp = fc2.forward(act.apply(fc1.forward(layerNorm2.forward(h))));
        return h.add(mlp);
    }
}
