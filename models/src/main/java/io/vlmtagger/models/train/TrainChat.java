package io.vlmtagger.models.train;

import java.nio.file.Path;

/**
 * Trains the tiny LLaVA chat model and writes it as a HuggingFace checkpoint directory.
 *
 * <pre>
 * java -cp ... io.vlmtagger.models.train.TrainChat --out models/src/main/resources/checkpoints/tiny-llava-shapes
 * </pre>
 */
public final class TrainChat {
    public static final Path DEFAULT_OUTPUT = Path.of("models/src/main/resources/checkpoints/tiny-llava-shapes");

    private TrainChat() {}

    public static void main(String[] args) throws Exception {
        TrainOptions options = TrainOptions.parse(args, DEFAULT_OUTPUT, 1500);
        TrainingRun run = new ChatTrainer(options).train(System.out::println);
        System.out.printf("trained %d parameters in %.1f s; final loss %.4f; wrote %s%n", run.parameters(), run.seconds(),
                run.meanLoss(Math.max(0, run.losses().size() - 50), run.losses().size()), run.checkpoint());
    }
}
