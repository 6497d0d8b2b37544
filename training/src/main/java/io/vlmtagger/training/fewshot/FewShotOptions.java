package io.vlmtagger.training.fewshot;

import io.vlmtagger.training.CommandLine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Options of a few-shot training run ({@code visionFrom}: the LLaVA checkpoint whose vision tower
 * the model starts from, null for the shipped tiny LLaVA); {@link #recipe} is the shipped checkpoint's, {@link #parse}
 * reads {@code --key value} overrides.
 */
public record FewShotOptions(Path output, int steps, float learningRate, long seed, TinyIdefics.Sizes sizes,
        Path visionFrom, int logEvery, int checkEvery, int saveEvery, int batchSize) {

    public static FewShotOptions recipe(Path output) {
        return new FewShotOptions(output, 1200, 3e-3f, 1, TinyIdefics.Sizes.DEFAULT, null, 50, 150, 0, 24);
    }

    /** {@code --out DIR --steps N --lr X --seed N --hidden N --layers N --vision-from DIR --log-every N --check-every N --save-every N --batch N}. */
    public static FewShotOptions parse(String[] args, FewShotOptions o) {
        Path out = o.output;
        int steps = o.steps;
        float lr = o.learningRate;
        long seed = o.seed;
        int hidden = o.sizes.hidden();
        int layers = o.sizes.layers();
        Path vision = o.visionFrom;
        int logEvery = o.logEvery;
        int checkEvery = o.checkEvery;
        int saveEvery = o.saveEvery;
        int batch = o.batchSize;
        for (Map.Entry<String, String> e : CommandLine.options(args, List.of("out", "steps", "lr", "seed", "hidden",
                "layers", "vision-from", "log-every", "check-every", "save-every", "batch")).entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "out" -> out = Path.of(v);
                case "steps" -> steps = Integer.parseInt(v);
                case "lr" -> lr = Float.parseFloat(v);
                case "seed" -> seed = Long.parseLong(v);
                case "hidden" -> hidden = Integer.parseInt(v);
                case "layers" -> layers = Integer.parseInt(v);
                case "vision-from" -> vision = Path.of(v);
                case "log-every" -> logEvery = Integer.parseInt(v);
                case "check-every" -> checkEvery = Integer.parseInt(v);
                case "save-every" -> saveEvery = Integer.parseInt(v);
                default -> batch = Integer.parseInt(v); // batch
            }
        }
        return new FewShotOptions(out, steps, lr, seed, new TinyIdefics.Sizes(hidden, layers, o.sizes.heads(),
                o.sizes.latents()), vision, logEvery, checkEvery, saveEvery, batch);
    }
}
