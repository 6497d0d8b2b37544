package io.vlmtagger.models.train;

import java.nio.file.Path;

/**
 * Options of a training run. {@link #defaults} are the settings the shipped checkpoints were
 * trained with; {@link #parse} reads {@code --key value} overrides from a command line.
 */
public record TrainOptions(Path output, int steps, int batchSize, float learningRate, float weightDecay, long seed,
        TinyConfigs.Sizes sizes, int queries, int logEvery, int saveEvery, Path initFrom) {

    public static TrainOptions defaults(Path output) {
        // no weight decay: every step sees fresh scenes, and decaying query tokens toward zero feeds the
        // Q-Former's LayerNorm (eps 1e-12) near-constant rows, whose gradients overflow
        return new TrainOptions(output, 3000, 32, 2e-3f, 0f, 1, TinyConfigs.Sizes.DEFAULT, 8, 100, 0, null);
    }

    public TrainOptions withSteps(int newSteps) {
        return new TrainOptions(output, newSteps, batchSize, learningRate, weightDecay, seed, sizes, queries, logEvery, saveEvery, initFrom);
    }

    public TrainOptions withBatchSize(int newBatch) {
        return new TrainOptions(output, steps, newBatch, learningRate, weightDecay, seed, sizes, queries, logEvery, saveEvery, initFrom);
    }

    public TrainOptions withLogEvery(int every) {
        return new TrainOptions(output, steps, batchSize, learningRate, weightDecay, seed, sizes, queries, every, saveEvery, initFrom);
    }

    /**
     * {@code --out DIR [--steps N] [--batch N] [--lr X] [--wd X] [--seed N] [--hidden N] [--layers N] [--patch N] [--log-every N]
     * [--save-every N] [--init-from DIR]} (a snapshot of the weights every N steps, 0 = only at the end;
     * start from the weights of checkpoint DIR instead of a fresh initialisation).
     */
    public static TrainOptions parse(String[] args, Path defaultOutput, int defaultSteps) {
        TrainOptions o = defaults(defaultOutput).withSteps(defaultSteps);
        Path out = o.output;
        int steps = o.steps;
        int batch = o.batchSize;
        float lr = o.learningRate;
        float wd = o.weightDecay;
        long seed = o.seed;
        TinyConfigs.Sizes s = o.sizes;
        int logEvery = o.logEvery;
        int saveEvery = o.saveEvery;
        Path init = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--lr" -> lr = Float.parseFloat(v);
                case "--wd" -> wd = Float.parseFloat(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--log-every" -> logEvery = Integer.parseInt(v);
                case "--save-every" -> saveEvery = Integer.parseInt(v);
                case "--init-from" -> init = Path.of(v);
                case "--hidden" -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), Integer.parseInt(v),
                        s.layers(), s.heads(), 4 * Integer.parseInt(v));
                case "--patch" -> s = new TinyConfigs.Sizes(s.imageSize(), Integer.parseInt(v), s.hidden(), s.layers(),
                        s.heads(), s.intermediate());
                case "--layers" -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), s.hidden(),
                        Integer.parseInt(v), s.heads(), s.intermediate());
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --out --steps --batch --lr --wd --seed --hidden --layers --patch --log-every --save-every --init-from)");
            }
        }
        return new TrainOptions(out, steps, batch, lr, wd, seed, s, o.queries, logEvery, saveEvery, init);
    }
}
