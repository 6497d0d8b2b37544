package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.nn.Activation;
import io.vlmtagger.models.nn.Attention;
import io.vlmtagger.models.nn.CallScope;
import io.vlmtagger.models.nn.LayerNorm;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * IDEFICS' Perceiver Resampler ({@code perceiver_resampler.}): learned {@code latents [n, D]}
 * cross-attend to one image's vision tokens, {@code depth} times, then a final LayerNorm. Each
 * block: {@code latents += attn(ln_c(x), ln_l(latents))}, keys and values over {@code [image
 * tokens ; latents]}; then {@code latents += c_proj(relu(fc(ln(latents))))}. All LayerNorms use
 * eps 1e-5 (torch's default; not from the config); no biases in the projections.
 *
 * <p>Weights only; thread-safe.
 */
public final class PerceiverResampler {
    private static final float EPS = 1e-5f;

    private final NDArray latents;
    private final List<Block> blocks;
    private final LayerNorm layerNorm;
    private final int nLatents;
    private final int dim;

    /**
     * @param w weights prefixed to {@code model.perceiver_resampler.}
     * @param dim the vision width D ({@code vision_config.embed_dim})
     */
    public PerceiverResampler(Weights w, IdeficsPerceiverConfig config, int dim) {
        this.nLatents = config.nLatents();
        this.dim = dim;
        this.latents = w.get("latents", nLatents, dim);
        List<Block> list = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            list.add(new Block(w.sub("blocks." + i + "."), config, dim));
        }
        this.blocks = List.copyOf(list);
        this.layerNorm = LayerNorm.load(w.sub("layer_norm."), dim, EPS);
    }

    public int nLatents() {
        return nLatents;
    }

    /** {@code [I, S, D]} vision tokens of I images -> {@code [I, n_latents, D]}, each image on its own. */
    public NDArray forward(NDArray context) {
        long images = context.getShape().get(0);
        // created in the call's manager (the latents themselves live in the weights' manager)
        NDArray x = context.getManager().zeros(new Shape(images, nLatents, dim), latents.getDataType()).add(latents);
        for (Block block : blocks) {
            x = CallScope.apply(x, in -> block.forward(context, in));
        }
        return layerNorm.forward(x);
    }

    /** One {@code blocks.i.} pair: {@code .0} the attention, {@code .1} the ReLU MLP. */
    private static final class Block {
        private final LayerNorm contextNorm;
        private final LayerNorm latentsNorm;
        private final LayerNorm qNorm;
        private final LayerNorm kNorm;
        private final Linear qProj;
        private final Linear kProj;
        private final Linear vProj;
        private final Linear outputProj;
        private final LayerNorm mlpNorm;
        private final Linear fc;
        private final Linear cProj;
        private final int heads;
        private final float scale;

        Block(Weights w, IdeficsPerceiverConfig config, int dim) {
            Weights a = w.sub("0.");
            Weights m = w.sub("1.");
            int inner = config.innerDim();
            this.heads = config.nHeads();
            this.scale = (float) Math.pow(config.headDim(), -0.5);
            this.contextNorm = LayerNorm.load(a.sub("context_layer_norm."), dim, EPS);
            this.latentsNorm = LayerNorm.load(a.sub("latents_layer_norm."), dim, EPS);
            this.qNorm = config.qkLayerNorms() ? LayerNorm.load(a.sub("q_layer_norm."), config.headDim(), EPS) : null;
            this.kNorm = config.qkLayerNorms() ? LayerNorm.load(a.sub("k_layer_norm."), config.headDim(), EPS) : null;
            this.qProj = Linear.loadNoBias(a.sub("q_proj."), inner, dim);
            this.kProj = Linear.loadNoBias(a.sub("k_proj."), inner, dim);
            this.vProj = Linear.loadNoBias(a.sub("v_proj."), inner, dim);
            this.outputProj = Linear.loadNoBias(a.sub("output_proj."), dim, inner);
            int mlpWidth = 4 * dim; // fixed in IDEFICS' code: embed_dim * 4
            this.mlpNorm = LayerNorm.load(m.sub("ln."), dim, EPS);
            this.fc = Linear.loadNoBias(m.sub("fc."), mlpWidth, dim);
            this.cProj = Linear.loadNoBias(m.sub("c_proj."), dim, mlpWidth);
        }

        /** context {@code [I, S, D]}, latents {@code [I, n, D]} -> {@code [I, n, D]}. */
        NDArray forward(NDArray context, NDArray latents) {
            NDArray c = contextNorm.forward(context);
            NDArray l = latentsNorm.forward(latents);
            NDArray kvInput = c.concat(l, 1); // [I, S + n, D]: image tokens first, then latents
            NDArray q = Attention.splitHeads(qProj.forward(l), heads); // [I, h, n, d]
            NDArray k = Attention.splitHeads(kProj.forward(kvInput), heads); // [I, h, S + n, d]
            NDArray v = Attention.splitHeads(vProj.forward(kvInput), heads);
            if (qNorm != null) {
                q = qNorm.forward(q);
                k = kNorm.forward(k);
            }
            NDArray attended = Attention.attend(q.mul(scale), k, v, null, 1f); // [I, h, n, d]
            NDArray x = latents.add(outputProj.forward(Attention.mergeHeads(attended)));
            return x.add(cProj.forward(Activation.RELU.apply(fc.forward(mlpNorm.forward(x)))));
        }
    }
}
