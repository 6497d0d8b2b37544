package io.vlmtagger.training.fewshot;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.models.pipeline.IdeficsFewShotTagger;
import io.vlmtagger.training.CommandLine;
import io.vlmtagger.training.TrainingThreads;
import io.vlmtagger.training.dataset.ImageFormat;
import java.nio.file.Path;
import java.util.Map;

/**
 * Held-out few-shot evaluation of an IDEFICS checkpoint through the serving tagger ({@link
 * FewShotEvaluation}): prints exact-tag accuracy overall, per k and per rule.
 *
 * <pre>
 * ... EvaluateFewShot [--checkpoint DIR] [--per-k 100] [--seed 2] [--format png|jpeg]
 * </pre>
 */
public final class EvaluateFewShot {
    private EvaluateFewShot() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = CommandLine.options(args, java.util.List.of("checkpoint", "per-k", "seed", "format"));
        TrainingThreads.configure();
        Path dir = Path.of(a.getOrDefault("checkpoint", ShippedCheckpoint.IDEFICS_SHAPES.sourceDirectory().toString()));
        int perK = Integer.parseInt(a.getOrDefault("per-k", "100"));
        long seed = Long.parseLong(a.getOrDefault("seed", String.valueOf(FewShotEvaluation.EVALUATION_SEED)));
        ImageFormat format = ImageFormat.parse(a.getOrDefault("format", "png"));
        System.out.println(run(dir, perK, seed, format));
    }

    /** Evaluates {@code dir} and returns the printable result. */
    static String run(Path dir, int perK, long seed, ImageFormat format) throws Exception {
        long start = System.nanoTime();
        try (IdeficsFewShotTagger tagger = IdeficsFewShotTagger.load(dir, "cpu", "float32")) {
            FewShotScores scores = FewShotEvaluation.evaluate(tagger, FewShotEvaluation.heldOut(seed), perK, format);
            StringBuilder sb = new StringBuilder(String.format("%s, held-out seed %d, %s: %s [%.1f s]", dir, seed,
                    format, scores, (System.nanoTime() - start) / 1e9));
            scores.mistakes().forEach(m -> sb.append("\n  ").append(m));
            return sb.toString();
        }
    }
}
