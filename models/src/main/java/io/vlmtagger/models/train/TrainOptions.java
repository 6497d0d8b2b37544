package io.vlmtagger.models.train;

import java.nio.file.Path;

/**
 * Options of a training run. {@link #defaults} are the settings the shipped checkpoints were
 * trained with; {@link #parse} reads {@code --key value} overrides from a command line.
 */
public record TrainOptions(Path output, int steps, int batchSize, float learningRate, float weightDecay, long seed,
        TinyConfigs.Sizes sizes, int queries, int logEvery, int saveEvery) {

    public static TrainOptions defaults(Path output) {
        return new TrainOptions(output, 3000, 32, 2e-3f, 0.01f, 1, TinyConfigs.Sizes.DEFAULT, 8, 100, 0);
    }

    public TrainOptions withSteps(int newSteps) {
        return new TrainOptions(output, newSteps, batchSize, learningRate, weightDecay, seed, sizes, queries, logEvery, saveEvery);
    }

    public TrainOptions withBatchSize(int newBatch) {
        return new TrainOptions(output, steps, newBatch, learningRate, weightDecay, seed, sizes, queries, logEvery, saveEvery);
    }

    public TrainOptions withLogEvery(int every) {
        return new TrainOptions(output, steps, batchSize, learningRate, weightDecay, seed, sizes, queries, every, saveEvery);
    }

    /**
     * {@code --out DIR [--steps N] [--batch N] [--lr X] [--seed N] [--hidden N] [--layers N] [--log-every N]
     * [--save-every N]} (a snapshot of the weights every N steps; 0 = only at the end).
     */
    public static TrainOptions parse(String[] args, Path defaultOutput, int defaultSteps) {
        TrainOptions o = defaults(defaultOutput).withSteps(defaultSteps);
        Path out = o.output;
        int steps = o.steps;
        int batch = o.batchSize;
        float lr = o.learningRate;
        long seed = o.seed;
        TinyConfigs.Sizes s = o.sizes;
        int logEvery = o.logEvery;
        int saveEvery = o.saveEvery;
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
                case "--seed" -> seed = Long.parseLong(v);
                case "--log-every" -> logEvery = Integer.parseInt(v);
                case "--save-every" -> saveEvery = Integer.parseInt(v);
                case "--hidden" -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), Integer.parseInt(v),
                        s.layers(), s.heads(), 4 * Integer.parseInt(v));
                case "--layers" -> s = new TinyConfigs.Sizes(s.imageSize(), s.patchSize(), s.hidden(),
                        Integer.parseInt(v), s.heads(), s.intermediate());
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --out --steps --batch --lr --seed --hidden --layers --log-every --save-every)");
            }
        }
        return new TrainOptions(out, steps, batch, lr, o.weightDecay, seed, s, o.queries, logEvery, saveEvery);
    }
}
