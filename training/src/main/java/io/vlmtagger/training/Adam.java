package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba, with bias correction, decoupled weight decay as AdamW) over a {@link
 * ParameterSet}, updating the parameters in place and zeroing their gradients. Gradients are
 * clipped to a global L2 norm first. Runs outside a gradient collector (no autograd recording).
 */
public final class Adam {
    private final ParameterSet params;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final float clipNorm;
    private final Map<String, NDArray> mean = new HashMap<>();
    private final Map<String, NDArray> var = new HashMap<>();
    private int steps;
    private int skipped;

    public Adam(ParameterSet params, float weightDecay, float clipNorm) {
        this.params = params;
        this.beta1 = 0.9f;
        this.beta2 = 0.98f;
        this.eps = 1e-8f;
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
    }

    /** One update with learning rate {@code lr}; returns the gradient norm before clipping. */
    public float step(float lr) {
        steps++;
        NDManager m = params.manager();
        try (NDManager scratch = m.newSubManager()) {
            Map<String, NDArray> grads = new HashMap<>();
            NDArray sq = null;
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scratch);
                grads.put(e.getKey(), g);
                NDArray s = g.square().sum();
                sq = sq == null ? s : sq.add(s);
            }
            float norm = (float) Math.sqrt(sq.getFloat()); // one synchronisation per step
            if (!Float.isFinite(norm)) {
                // a non-finite gradient would poison every weight: drop this step's gradients instead
                grads.values().forEach(g -> g.set(new NDIndex("..."), 0f)); // subtraction keeps NaN
                skipped++;
                steps--;
                return norm;
            }
            float scale = norm > clipNorm ? clipNorm / norm : 1f;
            float c1 = 1 - (float) Math.pow(beta1, steps);
            float c2 = 1 - (float) Math.pow(beta2, steps);
            for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
                String key = e.getKey();
                NDArray w = e.getValue();
                NDArray g = grads.get(key);
                NDArray gs = g.mul(scale);
                NDArray mk = mean.computeIfAbsent(key, k -> w.zerosLike());
                NDArray vk = var.computeIfAbsent(key, k -> w.zerosLike());
                mk.muli(beta1).addi(gs.mul(1 - beta1));
                vk.muli(beta2).addi(gs.square().mul(1 - beta2));
                // results of operations on parameter-manager arrays land there: move them to scratch
                NDArray mHat = attach(mk.div(c1), scratch);
                NDArray vHat = attach(vk.div(c2), scratch);
                NDArray update = mHat.div(vHat.sqrt().add(eps));
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    update = update.add(attach(w.mul(weightDecay), scratch));
                }
                w.subi(update.mul(lr));
                g.subi(g); // zero the accumulated gradient in place
            }
            return norm;
        }
    }

    /** Steps dropped because the gradient was not finite. */
    public int skipped() {
        return skipped;
    }

    private static NDArray attach(NDArray a, NDManager manager) {
        a.attach(manager);
        return a;
    }
}
