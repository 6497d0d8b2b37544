package io.vlmtagger.training.fewshot;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.training.TrainingRun;
import io.vlmtagger.training.TrainingThreads;

/**
 * Trains the tiny IDEFICS few-shot tagger ({@link FewShotTrainer}), writes it into the checkpoints
 * module ({@code tiny-idefics-shapes}) or {@code --out DIR} and prints its held-out evaluation
 * ({@link EvaluateFewShot}, 40 episodes per k); options in {@link FewShotOptions#parse}.
 */
public final class TrainFewShot {
    private TrainFewShot() {}

    public static void main(String[] args) throws Exception {
        TrainingThreads.configure();
        FewShotOptions options = FewShotOptions.parse(args,
                FewShotOptions.recipe(ShippedCheckpoint.IDEFICS_SHAPES.sourceDirectory()));
        TrainingRun run = new FewShotTrainer(options).train(System.out::println);
        System.out.printf("trained %d parameters for %d steps in %.1f s; mean loss of the last 50 steps %.4f; wrote %s%n",
                run.parameters(), run.losses().size(), run.seconds(),
                run.meanLoss(Math.max(0, run.losses().size() - 50), run.losses().size()), run.checkpoint());
        System.out.println(EvaluateFewShot.run(run.checkpoint(), 40, FewShotEvaluation.EVALUATION_SEED,
                io.vlmtagger.training.dataset.ImageFormat.PNG));
    }
}
