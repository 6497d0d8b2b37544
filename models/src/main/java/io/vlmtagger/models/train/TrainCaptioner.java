package io.vlmtagger.models.train;

import java.nio.file.Path;

/**
 * Trains the tiny BLIP-2 captioner and writes it as a HuggingFace checkpoint directory.
 *
 * <pre>
 * mvn -o -q -pl models exec:java -Dexec.mainClass=io.vlmtagger.models.train.TrainCaptioner \
 *     -Dexec.args="--out models/src/main/resources/checkpoints/tiny-blip2-shapes"
 * </pre>
 */
public final class TrainCaptioner {
    public static final Path DEFAULT_OUTPUT = Path.of("models/src/main/resources/checkpoints/tiny-blip2-shapes");

    private TrainCaptioner() {}

    public static void main(String[] args) throws Exception {
        TrainOptions options = TrainOptions.parse(args, DEFAULT_OUTPUT, 3000);
        TrainingRun run = new CaptionTrainer(options).train(System.out::println);
        System.out.printf("trained %d parameters in %.1f s; final loss %.4f; wrote %s%n", run.parameters(), run.seconds(),
                run.meanLoss(Math.max(0, run.losses().size() - 50), run.losses().size()), run.checkpoint());
    }
}
