package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerKvCache;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code language_model.model.decoder.layers.N}: OPT block, pre-LN when {@code do_layer_norm_before}
 * (else post-LN), q scaled after its projection, ReLU (or the configured activation) feed-forward.
 */
final class OptDecoderLayer {
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final LayerNorm selfAttnLayerNorm;
    private final LayerNorm finalLayerNorm;
    private final Linear fc1;
    private final Linear fc2;
    private final Activation act;
    private final boolean preLayerNorm;
    private final int heads;
    private final float scaling;
    private final int index;

    OptDecoderLayer(Weights w, OptConfig c, int index) {
        int d = c.hiddenSize();
        boolean bias = c.enableBias();
        Weights attn = w.sub("self_attn.");
        this.qProj = Linear.load(attn.sub("q_proj."), d, d, bias);
        this.kProj = Linear.load(attn.sub("k_proj."), d, d, bias);
        this.vProj = Linear.load(attn.sub("v_proj."), d, d, bias);
        this.outProj = Linear.load(attn.sub("out_proj."), d, d, bias);
        this.selfAttnLayerNorm = OptDecoder.layerNorm(w.sub("self_attn_layer_norm."), c);
        this.finalLayerNorm = OptDecoder.layerNorm(w.sub("final_layer_norm."), c);
        this.fc1 = Linear.load(w.sub("fc1."), c.ffnDim(), d, bias);
        this.fc2 = Linear.load(w.sub("fc2."), d, c.ffnDim(), bias);
        this.act = Activation.fromConfig(c.activationFunction());
        this.preLayerNorm = c.doLayerNormBefore();
        this.heads = c.numAttentionHeads();
        this.scaling = (float) Math.pow(c.headDim(), -0.5);
        this.index = index;
    }

    /**
     * @param x {@code [B, T, D]}
     * @param mask additive {@code [B, 1, T, P + T]}
     * @param cache past keys/values (appended to), or null
     */
    NDArray forward(NDArray x, NDArray mask, LayerKvCache cache) {
        NDArray h = preLayerNorm ? selfAttnLayerNorm.forward(x) : x;
        NDArray q = Attention.splitHeads(qProj.forward(h).mul(scaling), heads); // [B, h, T, hd]
        NDArray k = Attention.splitHeads(kProj.forward(h), heads);
        NDArray v = Attention.splitHeads(vProj.forward(h), heads);
        if (cache != null) {
            NDList all = cache.append(index, k, v); // [B, h, P + T, hd]
            k = all.get(0);
            v = all.get(1);
        }
        NDArray context = Attention.mergeHeads(Attention.attend(q, k, v, mask, 1f));
        NDArray residual = outProj.forward(context).add(x);
        if (!preLayerNorm) {
            residual = selfAttnLayerNorm.forward(residual);
        }
        NDArray f = preLayerNorm ? finalLayerNorm.forward(residual) : residual;
        NDArray out = fc2.forward(act.apply(fc1.forward(f))).add(residual);
        return preLayerNorm ? out : finalLayerNorm.forward(out);
    }
}
