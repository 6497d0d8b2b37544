package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.llama.LlamaMlp;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.nn.RmsNorm;
import io.vlmtagger.models.weights.Weights;

/**
 * One Flamingo gated cross-attention block ({@code gated_cross_attn_layers.i.}), run in front of
 * a text layer:
 *
 * <pre>
 * a = o(softmax(qn(q(rms1(x))) kn(k(img))^T / sqrt(d) + imageMask) v(img)), zeroed where the token attends no image
 * x = x + tanh(alpha_cross_attn) * a
 * x = x + tanh(alpha_dense) * mlp(rms2(x))          (every position, gate or not)
 * </pre>
 *
 * No rotary embedding and no growing cache: the image keys and values ({@link #imageKeysValues})
 * depend on the image states only, so a request computes them once and reuses them at every step. {@code alpha_*} are {@code [1]} ({@code alpha_type float})
 * or {@code [1, 1, hidden]} ({@code vector}); tanh is applied once at load. The MLP is Llama's.
 */
public final class GatedCrossAttentionBlock {
    private final RmsNorm inputLayerNorm;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final RmsNorm qNorm;
    private final RmsNorm kNorm;
    private final RmsNorm postAttentionLayerNorm;
    private final LlamaMlp mlp;
    private final NDArray attnGate;
    private final NDArray denseGate;
    private final int heads;
    private final float scale;

    /**
     * @param w weights prefixed to {@code model.gated_cross_attn_layers.i.}
     * @param imageDim width of the image states (the vision {@code embed_dim})
     */
    public GatedCrossAttentionBlock(Weights w, IdeficsConfig config, int imageDim) {
        LlamaConfig text = config.text();
        int h = text.hiddenSize();
        float eps = (float) text.rmsNormEps();
        this.heads = text.numAttentionHeads();
        this.scale = (float) (1.0 / Math.sqrt(text.headDim()));
        this.inputLayerNorm = RmsNorm.load(w.sub("input_layernorm."), h, eps);
        Weights a = w.sub("cross_attn.");
        this.qProj = Linear.loadNoBias(a.sub("q_proj."), h, h);
        this.kProj = Linear.loadNoBias(a.sub("k_proj."), h, imageDim);
        this.vProj = Linear.loadNoBias(a.sub("v_proj."), h, imageDim);
        this.oProj = Linear.loadNoBias(a.sub("o_proj."), h, h);
        this.qNorm = config.qkLayerNorms() ? RmsNorm.load(a.sub("q_layer_norm."), text.headDim(), eps) : null;
        this.kNorm = config.qkLayerNorms() ? RmsNorm.load(a.sub("k_layer_norm."), text.headDim(), eps) : null;
        this.postAttentionLayerNorm = RmsNorm.load(w.sub("post_attention_layernorm."), h, eps);
        this.mlp = new LlamaMlp(w.sub("mlp."), text);
        long[] gateShape = config.alphaType().equals("vector") ? new long[] {1, 1, h} : new long[] {1};
        this.attnGate = w.get("alpha_cross_attn", gateShape).tanh();
        this.denseGate = w.get("alpha_dense", gateShape).tanh();
        attnGate.attach(w.manager());
        denseGate.attach(w.manager());
    }

    /**
     * The image keys and values this block attends, each {@code [B, heads, S, headDim]} (keys after
     * their q/k norm): a function of the image states only, so computed once per request.
     *
     * @param image image states {@code [B, S, imageDim]}
     * @param target the manager the arrays go to (the request's)
     */
    public NDList imageKeysValues(NDArray image, NDManager target) {
        NDArray kp = kProj.forward(image);
        kp.attach(target);
        NDArray vp = vProj.forward(image);
        vp.attach(target);
        NDArray k = Attention.splitHeads(kp, heads);
        if (kNorm != null) {
            k = kNorm.forward(k);
        }
        return new NDList(k, Attention.splitHeads(vp, heads));
    }

    /**
     * @param x {@code [B, T, hidden]}
     * @param imageKv from {@link #imageKeysValues}
     * @param imageMask additive {@code [B, 1, T, S]} (finite minimum where blocked)
     * @param attendsImage {@code [B, T, 1]} in x's dtype: 1 where the token attends an image, else 0
     */
    public NDArray forward(NDArray x, NDList imageKv, NDArray imageMask, NDArray attendsImage) {
        NDArray h = x.add(crossAttention(x, imageKv, imageMask, attendsImage).mul(attnGate));
        return h.add(mlp.forward(postAttentionLayerNorm.forward(h)).mul(denseGate));
    }

    /** The cross-attention sub-layer alone (after o_proj and the zeroing, before the gate), for inspection. */
    public NDArray crossAttention(NDArray x, NDList imageKv, NDArray imageMask, NDArray attendsImage) {
        NDArray q = Attention.splitHeads(qProj.forward(inputLayerNorm.forward(x)), heads); // [B, h, T, d]
        if (qNorm != null) {
            q = qNorm.forward(q);
        }
        NDArray attended = oProj.forward(Attention.mergeHeads(
                Attention.attend(q, imageKv.get(0), imageKv.get(1), imageMask, scale)));
        // the mask is finite, so a blind token's attention is finite and the product is exactly 0
        return attended.mul(attendsImage);
    }
}
