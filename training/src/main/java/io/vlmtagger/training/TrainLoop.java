package io.vlmtagger.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loop both trainers share: each step renders a fresh batch of scenes (the next batch renders
 * meanwhile, see {@link BatchPrefetcher}), builds the serving model over the parameters inside a
 * gradient collector in a per-step manager, runs the loss through it, and
 * updates with {@link Adam} on the learning-rate schedule. Logs loss, learning rate and the time
 * split (data / forward+backward / update).
 */
final class TrainLoop {
    private TrainLoop() {}

    /** The loss of one batch through a step's model. */
    interface StepLoss<M> {
        /** The loss of {@code batch} through {@code model}, its arrays in {@code step}. */
        NDArray loss(M model, SceneBatch batch, NDManager step);
    }

    /**
     * @param modelFn the serving model over the parameters for one step (see {@link
     *     ParameterSet#stepStore}); built inside the gradient collector, closed after the backward pass
     * @param lossFn the loss through that model
     */
    static <M extends AutoCloseable> List<Float> run(String name, TrainOptions options, ParameterSet params,
            ShapesDataset data, ImagePreprocessor preprocessor, Function<NDManager, M> modelFn, StepLoss<M> lossFn,
            Consumer<String> log, Runnable snapshot) {
        params.requireGradients();
        Adam adam = new Adam(params, options.weightDecay(), 1.0f);
        LearningRate lr = new LearningRate(options.learningRate(), Math.min(100, options.steps() / 10 + 1),
                options.steps(), 0.05f);
        int b = options.batchSize();
        List<Float> losses = new ArrayList<>();
        long start = System.nanoTime();
        long dataNs = 0;
        long modelNs = 0;
        long adamNs = 0;
        try (BatchPrefetcher prefetcher = new BatchPrefetcher(data, preprocessor, b, 0)) {
            for (int step = 0; step < options.steps(); step++) {
                long t0 = System.nanoTime();
                SceneBatch batch = prefetcher.take(step); // rendered while the previous step ran
                long t1 = System.nanoTime();
                long t2;
                float loss;
                float gradNorm;
                try (NDManager m = params.manager().getParentManager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector();
                        M model = modelFn.apply(m)) {
                    NDArray l = lossFn.loss(model, batch, m);
                    gc.backward(l);
                    loss = l.getFloat();
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException("training step " + step, e);
                }
                t2 = System.nanoTime();
                gradNorm = adam.step(lr.at(step));
                dataNs += t1 - t0;
                modelNs += t2 - t1;
                adamNs += System.nanoTime() - t2;
                losses.add(loss);
                if (options.saveEvery() > 0 && (step + 1) % options.saveEvery() == 0 && step + 1 < options.steps()) {
                    snapshot.run();
                }
                if (log != null && (step % options.logEvery() == 0 || step == options.steps() - 1)) {
                    int n = step + 1;
                    log.accept(String.format("%s step %d/%d loss %.4f grad norm %.3f lr %.5f %.1f s (per step: waiting for data %.0f ms,"
                            + " forward+backward %.0f ms, update %.0f ms; %d non-finite steps skipped)", name, n, options.steps(), loss, gradNorm, lr.at(step),
                            (System.nanoTime() - start) / 1e9, dataNs / 1e6 / n, modelNs / 1e6 / n, adamNs / 1e6 / n, adam.skipped()));
                }
            }
        }
        return losses;
    }
}
