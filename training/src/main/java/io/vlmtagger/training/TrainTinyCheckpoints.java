package io.vlmtagger.training;

import io.vlmtagger.checkpoints.ShippedCheckpoint;
import io.vlmtagger.training.fewshot.EvaluateFewShot;
import io.vlmtagger.training.fewshot.FewShotOptions;
import io.vlmtagger.training.fewshot.FewShotTrainer;
import java.nio.file.Path;

/**
 * The one command that reproduces the shipped checkpoints: trains the captioner, then the chat
 * model, each with its recipe ({@link TrainOptions#captionerRecipe}, {@link TrainOptions#chatRecipe}),
 * then the few-shot IDEFICS on the new chat model's vision tower ({@link FewShotOptions#recipe}),
 * writes them into {@code --out-dir} (default: the resource folders of the checkpoints module) and
 * prints the held-out evaluation of all three.
 *
 * <pre>
 * mvn -B -q -pl training exec:java -Dexec.mainClass=io.vlmtagger.training.TrainTinyCheckpoints \
 *     [-Dexec.args="--out-dir /tmp/tiny --eval-count 500"]
 * </pre>
 */
public final class TrainTinyCheckpoints {
    private TrainTinyCheckpoints() {}

    public static void main(String[] args) throws Exception {
        Path captionerDir = TrainCaptioner.DEFAULT_OUTPUT;
        Path chatDir = TrainChat.DEFAULT_OUTPUT;
        Path fewShotDir = ShippedCheckpoint.IDEFICS_SHAPES.sourceDirectory();
        String evalCount = "500";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value");
            }
            switch (args[i]) {
                case "--out-dir" -> {
                    captionerDir = Path.of(args[i + 1]).resolve(captionerDir.getFileName());
                    chatDir = Path.of(args[i + 1]).resolve(chatDir.getFileName());
                    fewShotDir = Path.of(args[i + 1]).resolve(fewShotDir.getFileName());
                }
                case "--eval-count" -> evalCount = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (known: --out-dir --eval-count)");
            }
        }
        TrainingThreads.configure();
        long start = System.nanoTime();
        TrainingRun captioner = new CaptionTrainer(TrainOptions.captionerRecipe(captionerDir)).train(System.out::println);
        TrainingRun chat = new ChatTrainer(TrainOptions.chatRecipe(chatDir)).train(System.out::println);
        FewShotOptions fewShotRecipe = FewShotOptions.recipe(fewShotDir);
        TrainingRun fewShot = new FewShotTrainer(new FewShotOptions(fewShotDir, fewShotRecipe.steps(),
                fewShotRecipe.learningRate(), fewShotRecipe.seed(), fewShotRecipe.sizes(), chatDir,
                fewShotRecipe.logEvery(), fewShotRecipe.checkEvery(), 0, fewShotRecipe.batchSize())).train(System.out::println);
        System.out.printf("trained the captioner in %.1f s, the chat model in %.1f s and the few-shot IDEFICS in %.1f s"
                + " (%.1f min in all)%n", captioner.seconds(), chat.seconds(), fewShot.seconds(),
                (System.nanoTime() - start) / 60e9);
        Evaluate.main(new String[] {"--captioner", captionerDir.toString(), "--chat", chatDir.toString(),
                "--count", evalCount});
        EvaluateFewShot.main(new String[] {"--checkpoint", fewShotDir.toString()});
    }
}
