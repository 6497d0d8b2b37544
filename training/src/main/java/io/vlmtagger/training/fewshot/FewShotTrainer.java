package io.vlmtagger.training.fewshot;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.models.idefics.IdeficsConfig;
import io.vlmtagger.models.pipeline.IdeficsFewShotTagger;
import io.vlmtagger.models.idefics.IdeficsModel;
import io.vlmtagger.models.idefics.ImageConditionedDecoder;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.training.Adam;
import io.vlmtagger.training.CheckpointWriter;
import io.vlmtagger.training.LearningRate;
import io.vlmtagger.training.ParameterSet;
import io.vlmtagger.training.TrainBlocks;
import io.vlmtagger.training.TrainingRun;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Trains the tiny IDEFICS for in-context tagging THROUGH the serving classes: every step builds
 * {@link IdeficsModel} (vision tower, perceiver resampler, gated cross-attention, Llama layers) on a
 * {@link ParameterSet#stepStore} over the parameters being trained, inside a gradient collector, and
 * runs its own forward ({@code visionLastHiddenState} -> {@code perImageStates} -> {@link
 * ImageConditionedDecoder#forward}); no layer is re-implemented here. The model is rebuilt each
 * step because it derives arrays from its weights when built (gate {@code tanh}, the decoupled
 * embedding table), which must be recorded for autograd and follow the updated weights.
 *
 * <p>Episodes ({@link Episodes}, training label pool and rules) are batched by k (drawn per step
 * from 2..6) so rows need no padding; the next batch renders on a second thread. Loss: cross-entropy
 * on the targets of {@link FewShotBatch}, plus the {@link ImageReadingProbe} loss. Frozen ({@link #frozen}): the base token embeddings at
 * their random initialisation (see {@link FewShotVocabulary}) and the vision tower, taken from the
 * shipped tiny LLaVA (trained on the same shapes world), as IDEFICS freezes its pretrained CLIP.
 * Adam with warm-up and cosine decay, gradient clipping at norm 1.
 */
public final class FewShotTrainer {
    /** Training episodes' seed; evaluation and tests use others. */
    public static final long EPISODE_SEED = 11;
    static final int MIN_K = 2;
    static final int MAX_K = 6;

    private final FewShotOptions options;

    public FewShotTrainer(FewShotOptions options) {
        this.options = options;
    }

    public TrainingRun train(Consumer<String> log) throws IOException {
        Path dir = options.output();
        TinyIdefics.Sizes sizes = options.sizes();
        TinyIdefics.writeFiles(dir, sizes);
        IdeficsConfig config = IdeficsConfig.load(dir);
        ImagePreprocessor preprocessor = IdeficsFewShotTagger.preprocessorFor(config);
        ShapesDataset renderer = ShapesDataset.builder().setSeed(0).optImageSize(TinyIdefics.IMAGE_SIZE).build();
        Episodes episodes = new Episodes(options.seed() * 1000 + EPISODE_SEED, FewShotVocabulary.TRAINING_LABELS,
                Rule.TRAINING);
        Episodes check = new Episodes(options.seed() * 1000 + EPISODE_SEED + 1, FewShotVocabulary.HELD_OUT_LABELS,
                List.of(Rule.values()));
        long start = System.nanoTime();
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "few-shot-batch-prefetch");
            t.setDaemon(true);
            return t;
        });
        try (NDManager root = NDManager.newBaseManager();
                FewShotTokens tokens = new FewShotTokens(TextTokenizer.fromCheckpoint(dir))) {
            Path llava = options.visionFrom() != null ? options.visionFrom()
                    : ShippedCheckpoint.LLAVA_SHAPES.copyTo(java.nio.file.Files.createTempDirectory("few-shot-vision"));
            Map<String, NDArray> initial = TinyIdefics.initialWeights(root, sizes, options.seed() * 31 + 17, llava);
            Map<String, NDArray> frozen = new java.util.LinkedHashMap<>();
            initial.keySet().removeIf(k -> {
                boolean keep = FewShotTrainer.frozen(k);
                if (keep) {
                    frozen.put(k, initial.get(k));
                }
                return keep;
            });
            ParameterSet params = ParameterSet.startingFrom(root, initial, options.seed() * 31 + 19);
            ImageReadingProbe probe = new ImageReadingProbe(params, sizes.hidden());
            params.requireGradients();
            Adam adam = new Adam(params, 0f, 1.0f);
            LearningRate lr = new LearningRate(options.learningRate(), Math.min(100, options.steps() / 10 + 1),
                    options.steps(), 0.05f);
            Random kDraw = new Random(options.seed() * 7 + 3);
            List<Float> losses = new ArrayList<>();
            int size = options.batchSize();
            int firstK = kDraw.nextInt(MAX_K - MIN_K + 1) + MIN_K;
            Future<FewShotBatch> next = prefetch.submit(() -> batchOf(episodes, 0, size, firstK, tokens, preprocessor,
                    renderer));
            long modelNs = 0;
            List<FewShotBatch> heldOut = null; // built at the first check, the same batches at every check
            for (int step = 0; step < options.steps(); step++) {
                FewShotBatch batch = take(next);
                int nextStep = step + 1;
                int nextK = kDraw.nextInt(MAX_K - MIN_K + 1) + MIN_K;
                next = prefetch.submit(() -> batchOf(episodes, nextStep * 1000, size, nextK, tokens, preprocessor,
                        renderer));
                long t0 = System.nanoTime();
                float loss;
                try (NDManager stepManager = root.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector();
                        IdeficsModel model = IdeficsModel.of(config,
                                ParameterSet.stepStore(dir, weights(params, frozen), stepManager))) {
                    NDArray l = loss(model, probe, batch, stepManager);
                    gc.backward(l);
                    loss = l.getFloat();
                }
                float gradNorm = adam.step(lr.at(step));
                modelNs += System.nanoTime() - t0;
                losses.add(loss);
                boolean last = step == options.steps() - 1;
                if (log != null && (step % options.logEvery() == 0 || last)) {
                    log.accept(String.format("few-shot step %d/%d k %d loss %.4f grad norm %.3f lr %.5f %.1f s (%.0f ms per step)",
                            step + 1, options.steps(), batch.k(), loss, gradNorm, lr.at(step),
                            (System.nanoTime() - start) / 1e9, modelNs / 1e6 / (step + 1)));
                }
                if (log != null && options.checkEvery() > 0 && ((step + 1) % options.checkEvery() == 0 || last)) {
                    if (heldOut == null) {
                        heldOut = new ArrayList<>();
                        for (int k = MIN_K; k <= MAX_K; k++) {
                            heldOut.add(batchOf(check, k * 100_000, 24, k, tokens, preprocessor, renderer));
                        }
                    }
                    log.accept(String.format("  held-out check at step %d: %s", step + 1,
                            check(params, frozen, config, dir, heldOut, root)));
                }
                if (options.saveEvery() > 0 && (step + 1) % options.saveEvery() == 0 && !last) {
                    save(dir, params, frozen);
                }
            }
            save(dir, params, frozen);
            long count = params.checkpointCount() + frozen.values().stream().mapToLong(a -> a.getShape().size()).sum();
            return new TrainingRun(losses, (System.nanoTime() - start) / 1e9, count, dir);
        } finally {
            prefetch.shutdownNow();
        }
    }

    /**
     * Whether weight {@code key} stays as initialised: the token embeddings (see {@link
     * FewShotVocabulary}) and the pretrained vision tower (as IDEFICS freezes its CLIP).
     */
    static boolean frozen(String key) {
        return key.equals(TinyIdefics.EMBEDDINGS) || key.startsWith(TinyIdefics.VISION);
    }

    /** Every weight of the model: the parameters being trained and the frozen ones. */
    private static Map<String, NDArray> weights(ParameterSet params, Map<String, NDArray> frozen) {
        Map<String, NDArray> all = new HashMap<>(params.all());
        all.putAll(frozen);
        return all;
    }

    /** {@code size} episodes of {@code k} exemplars, episode indices from {@code first}. */
    static FewShotBatch batchOf(Episodes episodes, int first, int size, int k, FewShotTokens tokens,
            ImagePreprocessor preprocessor, ShapesDataset renderer) {
        List<Episode> list = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            list.add(episodes.episode(first + i, k));
        }
        return FewShotBatch.of(list, tokens, preprocessor, renderer);
    }

    /** Teacher-forced loss of one batch through the serving model's own forward. */
    static NDArray loss(IdeficsModel model, ImageReadingProbe probe, FewShotBatch batch, NDManager m) {
        NDArray vision = model.visionLastHiddenState(batch.pixels(m)); // [B, N, 1 + P, D]
        NDArray perImage = model.perImageStates(vision); // [B, N, latents, D]
        ai.djl.ndarray.types.Shape s = perImage.getShape();
        NDArray states = perImage.reshape(s.get(0), s.get(1) * s.get(2), s.get(3));
        ImageConditionedDecoder decoder = model.decoder(states, batch.imageMask(m));
        NDArray ids = batch.ids(m);
        NDArray mask = m.ones(ids.getShape(), ai.djl.ndarray.types.DataType.INT64);
        NDArray hidden = decoder.hiddenStates(decoder.embed(ids), mask, null, probe); // [B, T, H]
        NDArray logits = model.textModel().logits(hidden); // [B, T, V], as decoder.forward computes them
        return TrainBlocks.crossEntropy(logits, batch.targets(), batch.weights()).add(probe.loss(batch, m));
    }

    /** Greedy accuracy of the query's label (argmax at its position) on the held-out batches (one per k), no gradients. */
    private static String check(ParameterSet params, Map<String, NDArray> frozen, IdeficsConfig config, Path dir,
            List<FewShotBatch> heldOut, NDManager root) {
        StringBuilder sb = new StringBuilder();
        int right = 0;
        int total = 0;
        for (FewShotBatch b : heldOut) {
            int k = b.k();
            try (NDManager m = root.newSubManager();
                    IdeficsModel model = IdeficsModel.of(config, ParameterSet.stepStore(dir, weights(params, frozen), m))) {
                NDArray vision = model.visionLastHiddenState(b.pixels(m));
                NDArray perImage = model.perImageStates(vision);
                ai.djl.ndarray.types.Shape s = perImage.getShape();
                ImageConditionedDecoder decoder = model.decoder(perImage.reshape(s.get(0), s.get(1) * s.get(2), s.get(3)),
                        b.imageMask(m));
                NDArray ids = b.ids(m);
                NDArray logits = decoder.forward(decoder.embed(ids), m.ones(ids.getShape(),
                        ai.djl.ndarray.types.DataType.INT64), null);
                long[] argmax = logits.argMax(-1).toLongArray();
                int ok = 0;
                for (int r = 0; r < b.episodes().size(); r++) {
                    int at = r * b.length() + b.length() - 3; // the query's ":" predicts its label
                    ok += argmax[at] == b.targets()[at] ? 1 : 0;
                }
                right += ok;
                total += b.episodes().size();
                sb.append(String.format(" k=%d %d/%d", k, ok, b.episodes().size()));
                if (k == MIN_K) {
                    int at = b.length() - 3;
                    sb.append(String.format(" (row 0: wanted %s, got %s)", FewShotVocabulary.allTokens().get((int) b.targets()[at]),
                            FewShotVocabulary.allTokens().get((int) argmax[at])));
                }
            }
        }
        return String.format("%.1f%%", 100.0 * right / total) + sb;
    }

    private static void save(Path dir, ParameterSet params, Map<String, NDArray> frozen) throws IOException {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>(params.all());
        out.putAll(frozen);
        CheckpointWriter.writeWeights(dir, out);
    }

    private static FewShotBatch take(Future<FewShotBatch> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a training batch", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("building a training batch failed", e.getCause());
        }
    }
}
