package io.vlmtagger.training.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.training.dataset.ImageFormat;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out few-shot evaluation through a served {@link FewShotTagger} (the shipped IDEFICS through
 * {@code IdeficsFewShotTagger}): every image of an episode is encoded as a PNG (or JPEG) file and
 * goes in as bytes, the exemplars with their label as the only tag; greedy decoding; an episode
 * is right when the answer's tags are exactly the query's label.
 *
 * <p>Held-out episodes use {@link FewShotVocabulary#HELD_OUT_LABELS} (never in a training episode)
 * and every {@link Rule}, including the {@link Rule#HELD_OUT} property pairs.
 */
public final class FewShotEvaluation {
    /** The evaluation command's episode seed (training uses {@link FewShotTrainer#EPISODE_SEED}). */
    public static final long EVALUATION_SEED = 2;

    private FewShotEvaluation() {}

    /** The held-out episode generator of {@code seed}. */
    public static Episodes heldOut(long seed) {
        return new Episodes(seed * 7919 + 5, FewShotVocabulary.HELD_OUT_LABELS, List.of(Rule.values()));
    }

    /** {@code perK} episodes for every k in {@code 2..6}, rules in turn so each k sees every rule. */
    public static FewShotScores evaluate(FewShotTagger tagger, Episodes episodes, int perK, ImageFormat format)
            throws ImageDecodeException {
        ShapesDataset renderer = ShapesDataset.builder().setSeed(0).optImageSize(TinyIdefics.IMAGE_SIZE).build();
        FewShotScores scores = new FewShotScores();
        Rule[] rules = Rule.values();
        for (int k = FewShotTrainer.MIN_K; k <= FewShotTrainer.MAX_K; k++) {
            for (int i = 0; i < perK; i++) {
                Episode e = episodes.episode(k * 100_000 + i, k, rules[(i + k) % rules.length]);
                List<byte[]> images = render(e, renderer, format);
                List<LabeledExample> examples = new ArrayList<>();
                for (int j = 0; j < e.k(); j++) {
                    examples.add(new LabeledExample(images.get(j), List.of(e.labels().get(j)), null));
                }
                FewShotAnswer answer = tagger.tag(examples, images.get(e.k()));
                scores.add(e, answer.tags());
            }
        }
        return scores;
    }

    /** The episode's images (exemplars, then the query) as files, rendered as the trainer renders them. */
    public static List<byte[]> render(Episode e, ShapesDataset renderer, ImageFormat format) {
        List<byte[]> out = new ArrayList<>();
        for (Scene scene : e.scenes(renderer, 0)) {
            out.add(format.encode(renderer.render(scene)));
        }
        return out;
    }
}
