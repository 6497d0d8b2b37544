package io.vlmtagger.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Options of a training run. {@link #captionerRecipe} and {@link #chatRecipe} are the settings the
 * shipped checkpoints were trained with; {@link #parse} reads {@code --key value} overrides of a
 * recipe from a command line.
 */
public record TrainOptions(Path output, int steps, int batchSize, float learningRate, float weightDecay, long seed,
        TinyConfigs.Sizes sizes, int queries, int logEvery, int saveEvery, Path initFrom, float probeWeight) {

    /** Common settings; {@code steps} and the learning rate come from the recipes. */
    public static TrainOptions defaults(Path output) {
        // no weight decay: every step sees fresh scenes, and decaying query tokens toward zero feeds the
        // Q-Former's LayerNorm near-constant rows, whose gradients overflow (at transformers' eps 1e-12)
        return new TrainOptions(output, 1500, 64, 2e-3f, 0f, 1, TinyConfigs.Sizes.DEFAULT, 8, 100, 0, null, 1f);
    }

    /** The shipped captioner ({@code tiny-blip2-shapes}): BLIP-2 with 8 query tokens. */
    public static TrainOptions captionerRecipe(Path output) {
        return defaults(output).withSteps(CAPTIONER_STEPS);
    }

    /** The shipped chat model ({@code tiny-llava-shapes}). */
    public static TrainOptions chatRecipe(Path output) {
        return defaults(output).withSteps(CHAT_STEPS);
    }

    static final int CAPTIONER_STEPS = 1500;
    static final int CHAT_STEPS = 1000;

    public TrainOptions withSteps(int newSteps) {
        return new TrainOptions(output, newSteps, batchSize, learningRate, weightDecay, seed, sizes, queries, logEvery, saveEvery, initFrom, probeWeight);
    }

    /**
     * {@code --out DIR [--steps N] [--batch N] [--lr X] [--wd X] [--seed N] [--hidden N] [--layers N] [--patch N] [--log-every N]
     * [--save-every N] [--init-from DIR] [--probe-weight X]} (a snapshot of the weights every N steps, 0 = only at the end;
     * start from the weights of checkpoint DIR instead of a fresh initialisation; the weight of
     * {@link CellProbe}'s auxiliary loss, 0 = off); what is not given keeps
     * the value of {@code recipe}.
     */
    public static TrainOptions parse(String[] args, TrainOptions recipe) {
        TrainOptions o = recipe;
        Path out = o.output;
        int steps = o.steps;
        int batch = o.batchSize;
        float lr = o.learningRate;
        float wd = o.weightDecay;
        long seed = o.seed;
        TinyConfigs.Sizes s = o.sizes;
        int logEvery = o.logEvery;
        int saveEvery = o.saveEvery;
        Path init = o.initFrom;
        float probe = o.probeWeight;
        for (Map.Entry<String, String> e : CommandLine.options(args, List.of("out", "steps", "batch", "lr", "wd", "seed",
                "hidden", "layers", "patch", "log-every", "save-every", "init-from", "probe-weight")).entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "out" -> out = Path.of(v);
                case "steps" -> steps = Integer.parseInt(v);
                case "batch" -> batch = Integer.parseInt(v);
                case "lr" -> lr = Float.parseFloat(v);
                case "wd" -> wd = Float.parseFloat(v);
                case "seed" -> seed = Long.parseLong(v);
                case "log-every" -> logEvery = Integer.parseInt(v);
                case "save-every" -> saveEvery = Integer.parseInt(v);
                case "init-from" -> init = Path.of(v);
                case "probe-weight" -> probe = Float.parseFloat(v);
                case "hidden" -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), Integer.parseInt(v),
                        s.layers(), s.heads(), 4 * Integer.parseInt(v));
                case "patch" -> s = new TinyConfigs.Sizes(s.imageSize(), Integer.parseInt(v), s.hidden(), s.layers(),
                        s.heads(), s.intermediate());
                default -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), s.hidden(),
                        Integer.parseInt(v), s.heads(), s.intermediate()); // layers
            }
        }
        return new TrainOptions(out, steps, batch, lr, wd, seed, s, o.queries, logEvery, saveEvery, init, probe);
    }
}
