package io.vlmtagger.training;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import java.nio.file.Path;

/**
 * Trains the tiny LLaVA chat model and writes it as a HuggingFace checkpoint directory.
 *
 * Options in {@link TrainOptions#parse}, defaults from the recipe; {@link TrainTinyCheckpoints}
 * reproduces both shipped checkpoints in one command (models/README.md, "Tiny trained checkpoints").
 */
public final class TrainChat {
    public static final Path DEFAULT_OUTPUT = ShippedCheckpoint.LLAVA_SHAPES.sourceDirectory();

    private TrainChat() {}

    public static void main(String[] args) throws Exception {
        TrainingThreads.configure();
        TrainOptions options = TrainOptions.parse(args, TrainOptions.chatRecipe(DEFAULT_OUTPUT));
        TrainingRun run = new ChatTrainer(options).train(System.out::println);
        System.out.printf("trained %d parameters for %d steps in %.1f s; mean loss of the last 50 steps %.4f; wrote %s%n",
                run.parameters(), run.losses().size(), run.seconds(),
                run.meanLoss(Math.max(0, run.losses().size() - 50), run.losses().size()), run.checkpoint());
    }
}
