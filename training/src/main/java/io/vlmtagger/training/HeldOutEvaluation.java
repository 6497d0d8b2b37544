package io.vlmtagger.training;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.QaPair;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores served models on held-out scenes: each scene is encoded as an image file (PNG or JPEG)
 * and goes in through the model's own {@code preprocess(bytes)}, exactly as an uploaded image
 * would; greedy decoding.
 */
public final class HeldOutEvaluation {
    /** Training uses seeds 1 (captioner) and 1001 (chat); held-out sets use others. */
    public static final long EVALUATION_SEED = 2;

    private HeldOutEvaluation() {}

    public static CaptionScores captions(ImageCaptioner model, ShapesDataset data, int count, ImageFormat format,
            int batchSize) throws ImageDecodeException {
        CaptionScores scores = new CaptionScores();
        GenerationOptions greedy = GenerationOptions.greedy(24);
        for (int first = 0; first < count; first += batchSize) {
            List<Scene> scenes = new ArrayList<>();
            List<CaptionRequest> requests = new ArrayList<>();
            for (int i = first; i < Math.min(count, first + batchSize); i++) {
                Scene scene = data.scene(i);
                scenes.add(scene);
                requests.add(CaptionRequest.of(model.preprocess(format.encode(data.render(scene)))));
            }
            List<GenerationResult> results = model.caption(requests, greedy);
            for (int r = 0; r < scenes.size(); r++) {
                scores.add(scenes.get(r), results.get(r).text());
            }
        }
        return scores;
    }

    /** Asks {@code questionsPerImage} questions (of different types, in turn) about each of {@code count} scenes. */
    public static QaScores answers(VisualChatModel model, ShapesDataset data, int count, int questionsPerImage,
            ImageFormat format, int batchSize) throws ImageDecodeException {
        QaScores scores = new QaScores();
        GenerationOptions greedy = GenerationOptions.greedy(4);
        List<QaPair> pending = new ArrayList<>();
        List<ChatRequest> requests = new ArrayList<>();
        int types = CaptionGrammar.QUESTION_TYPES.size();
        for (int i = 0; i < count; i++) {
            Scene scene = data.scene(i);
            PixelValues pixels = model.preprocess(format.encode(data.render(scene)));
            java.util.Random random = data.random(i);
            for (int q = 0; q < questionsPerImage; q++) {
                String type = CaptionGrammar.QUESTION_TYPES.get((i + q) % types);
                QaPair qa = CaptionGrammar.question(scene, type, random);
                pending.add(qa);
                requests.add(new ChatRequest(pixels, List.of(), qa.question()));
            }
            if (requests.size() >= batchSize || i == count - 1) {
                List<GenerationResult> results = model.answer(requests, greedy);
                for (int r = 0; r < requests.size(); r++) {
                    scores.add(pending.get(r), results.get(r).text());
                }
                pending.clear();
                requests.clear();
            }
        }
        return scores;
    }
}
