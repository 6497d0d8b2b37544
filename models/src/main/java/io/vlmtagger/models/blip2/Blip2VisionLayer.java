package io.vlmtagger.models.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.Blip2VisionConfig;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;

/**
 * {@code vision_model.encoder.layers.N}: pre-LN transformer block. Attention uses one fused
 * {@code self_attn.qkv} projection (rows q;k;v, heads contiguous in each) whose bias is either
 * stored as {@code qkv.bias} or as separate {@code q_bias}/{@code v_bias} with a zero key bias.
 */
final class Blip2VisionLayer {
    private final LayerNorm layerNorm1;
    private final LayerNorm layerNorm2;
    private final Linear qkv;
    private final Linear projection;
    private final Linear fc1;
    private final Linear fc2;
    private final Activation act;
    private final int heads;
    private final float scale;

    Blip2VisionLayer(Weights w, Blip2VisionConfig c) {
        int d = c.hiddenSize();
        float eps = (float) c.layerNormEps();
        this.layerNorm1 = LayerNorm.load(w.sub("layer_norm1."), d, eps);
        this.layerNorm2 = LayerNorm.load(w.sub("layer_norm2."), d, eps);
        Weights attn = w.sub("self_attn.");
        this.qkv = new Linear(attn.get("qkv.weight", 3L * d, d), qkvBias(attn, d, c.qkvBias()));
        this.projection = Linear.load(attn.sub("projection."), d, d);
        this.fc1 = Linear.load(w.sub("mlp.fc1."), c.intermediateSize(), d);
        this.fc2 = Linear.load(w.sub("mlp.fc2."), d, c.intermediateSize());
        this.act = Activation.fromConfig(c.hiddenAct());
        this.heads = c.numAttentionHeads();
        this.scale = (float) Math.pow(c.headDim(), -0.5);
    }

    /** The fused bias [3D]: stored {@code qkv.bias}, else {@code cat(q_bias, 0, v_bias)}, else none. */
    private static NDArray qkvBias(Weights attn, int d, boolean qkvBiasEnabled) {
        if (attn.contains("qkv.bias")) {
            return attn.get("qkv.bias", 3L * d);
        }
        if (!qkvBiasEnabled) {
            return null;
        }
        NDArray q = attn.get("q_bias", d);
        NDArray v = attn.get("v_bias", d);
        NDArray zeroKeyBias = attn.manager().zeros(new Shape(d), q.getDataType());
        return NDArrays.concat(new NDList(q, zeroKeyBias, v)); // [3D], in the model's manager like q
    }

    /** {@code [B, T, D] -> [B, T, D]}. */
    NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long d = x.getShape().get(2);
        NDArray h = layerNorm1.forward(x);
        NDArray fused = qkv.forward(h).reshape(b, t, 3, heads, d / heads).transpose(2, 0, 3, 1, 4); // [3, B, h, T, hd]
        NDList split = fused.split(3, 0);
        NDArray q = split.get(0).squeeze(0);
        NDArray k = split.get(1).squeeze(0);
        NDArray v = split.get(2).squeeze(0);
        NDArray context = Attention.mergeHeads(Attention.attend(q, k, v, null, scale)); // [B, T, D]
        NDArray residual = projection.forward(context).add(x);
        NDArray mlp = fc2.forward(act.apply(fc1.forward(layerNorm2.forward(residual))));
        return mlp.add(residual);
    }
}
