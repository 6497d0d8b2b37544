package io.vlmtagger.training;

import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Held-out evaluation of the tiny checkpoints through the public serving classes ({@link
 * Blip2Captioner}, {@link LlavaChatModel}): prints caption exact match with attribute-level
 * accuracy, and question answering accuracy per question type.
 *
 * <pre>
 * java -cp ... io.vlmtagger.training.Evaluate [--captioner DIR] [--chat DIR] [--count 500] [--seed 2]
 *     [--questions 2] [--format png|jpeg]
 * </pre>
 */
public final class Evaluate {
    private Evaluate() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int count = Integer.parseInt(a.getOrDefault("count", "500"));
        long seed = Long.parseLong(a.getOrDefault("seed", String.valueOf(HeldOutEvaluation.EVALUATION_SEED)));
        ImageFormat format = ImageFormat.parse(a.getOrDefault("format", "png"));
        String captioner = a.getOrDefault("captioner", TrainCaptioner.DEFAULT_OUTPUT.toString());
        String chat = a.getOrDefault("chat", TrainChat.DEFAULT_OUTPUT.toString());
        if (!captioner.equals("none")) {
            ShapesDataset data = ShapesDataset.builder().setSeed(seed).build();
            long start = System.nanoTime();
            try (ImageCaptioner model = Blip2Captioner.builder().setCheckpoint(Path.of(captioner)).build()) {
                CaptionScores scores = HeldOutEvaluation.captions(model, data, count, format, 32);
                System.out.printf("%s: %s [%.1f s]%n", captioner, scores, (System.nanoTime() - start) / 1e9);
                scores.mistakes().forEach(m -> System.out.println("  " + m));
            }
        }
        if (!chat.equals("none")) {
            ShapesDataset data = ShapesDataset.builder().setSeed(seed + 1000).build();
            int questions = Integer.parseInt(a.getOrDefault("questions", "2"));
            long start = System.nanoTime();
            try (VisualChatModel model = LlavaChatModel.builder().setCheckpoint(Path.of(chat)).build()) {
                QaScores scores = HeldOutEvaluation.answers(model, data, count, questions, format, 32);
                System.out.printf("%s: %s [%.1f s]%n", chat, scores, (System.nanoTime() - start) / 1e9);
                scores.mistakes().forEach(m -> System.out.println("  " + m));
            }
        }
    }
}
